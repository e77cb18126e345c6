/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5); MSAL sends the short
 * form `device_code`, which Entra accepts too.
 */
import type { IncomingMessage } from 'node:http';
import type { EntraContext } from '../context.ts';
import type { Tenant } from '../directory.ts';
import { EntraError } from '../errors.ts';
import { param, required } from '../http-util.ts';
import { authenticateClient } from '../client-auth.ts';
import { issueDelegated, type TokenResponse } from '../issue.ts';
import { parseScopes, singleResource } from '../scopes.ts';

export async function deviceCodeGrant(ctx: EntraContext, tenant: Tenant, segment: string, p: URLSearchParams, req: IncomingMessage): Promise<TokenResponse> {
  const client = await authenticateClient(ctx, tenant, segment, p, req, { allowPublic: true });
  const deviceCode = required(p, 'device_code');
  const found = ctx.store.deviceCodes.peek(deviceCode);
  if (!found || found.v.tenantId !== tenant.id || found.v.clientId !== client.app.appId) throw new EntraError(70000, ['The device code is invalid.']);
  if (found.expired) throw new EntraError(70019);
  const rec = found.v;
  if (rec.status === 'pending') throw new EntraError(70016);
  if (rec.status === 'declined') throw new EntraError(70020);
  if (rec.status === 'redeemed') throw new EntraError(54005);
  rec.status = 'redeemed';
  const user = tenant.users.get(rec.userId ?? '');
  if (!user) throw new EntraError(70000, ['The user no longer exists.']);
  const parsed = parseScopes(ctx.directory, tenant, client.app.appId, rec.scope);
  const resource = singleResource(parsed, rec.scope, true);
  return await issueDelegated(ctx, {
    tenant, client, user, resource, oidc: parsed.oidc, authTime: rec.authTime ?? ctx.clock.now(),
    refresh: parsed.oidc.has('offline_access'), wantClientInfo: param(p, 'client_info') === '1',
  });
}
