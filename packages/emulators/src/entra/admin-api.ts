/**
 * The emulator's admin API under /_emulator (JSON, `Authorization: Bearer <adminToken>`). The dev stack
 * uses it to add Mandate's callback URL to an app once a credential provider exists. Responses never
 * contain passwords or existing secret values (a new secret's value is returned once, at creation).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readJson, sendJson, type RequestContext, type Router } from '@mandate/http';
import type { EntraContext } from './context.ts';
import { DirectoryError } from './directory.ts';
import type { AppSeed, UserSeed } from './seed.ts';

type AdminHandler = (ctx: EntraContext, rc: RequestContext, body: Record<string, unknown>) => unknown;

function str(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw new DirectoryError(400, `'${name}' must be a non-empty string.`);
  return v;
}

const routes: [string, string, number, AdminHandler][] = [
  ['GET', '/_emulator/tenants', 200, (ctx) => ({ tenants: ctx.directory.listTenants() })],
  ['GET', '/_emulator/tenants/:tenant/users', 200, (ctx, rc) => ({ users: ctx.directory.listUsers(rc.params.tenant!) })],
  ['POST', '/_emulator/tenants/:tenant/users', 201, (ctx, rc, b) => ctx.directory.addUser(rc.params.tenant!, b as unknown as UserSeed)],
  ['GET', '/_emulator/tenants/:tenant/apps', 200, (ctx, rc) => ({ apps: ctx.directory.listApps(rc.params.tenant!) })],
  ['POST', '/_emulator/tenants/:tenant/apps', 201, (ctx, rc, b) => ctx.directory.addApp(rc.params.tenant!, b as unknown as AppSeed)],
  ['POST', '/_emulator/tenants/:tenant/apps/:appId/redirect-uris', 200, (ctx, rc, b) => ctx.directory.addRedirectUri(rc.params.tenant!, rc.params.appId!, str(b, 'uri'))],
  ['DELETE', '/_emulator/tenants/:tenant/apps/:appId/redirect-uris', 200, (ctx, rc, b) => ctx.directory.removeRedirectUri(rc.params.tenant!, rc.params.appId!, rc.query.get('uri') ?? str(b, 'uri'))],
  ['POST', '/_emulator/tenants/:tenant/apps/:appId/client-secrets', 201, (ctx, rc, b) => ctx.directory.addClientSecret(rc.params.tenant!, rc.params.appId!, {
    ...(b.value !== undefined ? { value: str(b, 'value') } : {}), ...(b.expiresAt !== undefined ? { expiresAt: str(b, 'expiresAt') } : {}),
  })],
  ['POST', '/_emulator/tenants/:tenant/admin-consents', 200, (ctx, rc, b) => {
    const scopes = b.scopes;
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw new DirectoryError(400, "'scopes' must be an array of strings.");
    return ctx.directory.grantAdminConsent(rc.params.tenant!, str(b, 'clientId'), scopes as string[]);
  }],
];

export function registerAdminApi(router: Router, ctx: EntraContext, adminToken: string): void {
  const expected = createHash('sha256').update(`Bearer ${adminToken}`).digest();
  for (const [method, path, status, handler] of routes) {
    router.add(method, path, async (rc) => {
      const given = createHash('sha256').update(rc.req.headers.authorization ?? '').digest();
      if (!timingSafeEqual(given, expected)) {
        rc.req.resume();
        sendJson(rc.res, 401, { error: 'unauthorized', message: 'A valid admin bearer token is required.' }, { 'www-authenticate': 'Bearer realm="entra-emulator"' });
        return;
      }
      try {
        const body = method === 'GET' ? {} : await readJson(rc.req, 256 * 1024);
        sendJson(rc.res, status, handler(ctx, rc, body), { 'cache-control': 'no-store' });
      } catch (err) {
        if (err instanceof DirectoryError) {
          sendJson(rc.res, err.status, { error: err.status === 404 ? 'not_found' : err.status === 409 ? 'conflict' : 'invalid_request', message: err.message });
          return;
        }
        if (err instanceof Error && 'code' in err) {
          sendJson(rc.res, 400, { error: 'invalid_request', message: err.message });
          return;
        }
        throw err;
      }
    });
  }
}
