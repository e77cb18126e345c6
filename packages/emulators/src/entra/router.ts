/**
 * Routing and tenant resolution. `{tenant}` is a GUID or a domain alias (issuer always the GUID);
 * `common`/`organizations` serve discovery with the `{tenantid}` template issuer only. Every failure is
 * rendered in Entra's shape for the endpoint (JSON for token/devicecode/discovery, an HTML page for
 * browser endpoints) — never a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Router, sendHtml, sendJson, type RequestContext } from '@mandate/http';
import type { EntraContext } from './context.ts';
import type { Tenant } from './directory.ts';
import { EntraError, errorBody } from './errors.ts';
import { discoveryDocument, jwks } from './discovery.ts';
import { handleAuthorize } from './authorize.ts';
import { handleToken } from './token-endpoint.ts';
import { handleDeviceAuthorization, showDeviceLogin, submitDeviceLogin } from './device-code.ts';
import { showInteraction, submitConsent, submitLogin } from './interactions.ts';
import { handleLogout } from './logout.ts';
import { registerAdminApi } from './admin-api.ts';
import { errorPage } from './pages.ts';
import { GUID_RE } from './urls.ts';

type Shape = 'json' | 'html';
const MULTI = new Set(['common', 'organizations']);

function resolve(ctx: EntraContext, segment: string): Tenant {
  const t = ctx.directory.resolveTenant(segment);
  if (t) return t;
  if (!GUID_RE.test(segment) && !/^[a-z0-9.-]+$/i.test(segment)) throw new EntraError(900023, [segment]);
  if (MULTI.has(segment.toLowerCase()) || segment.toLowerCase() === 'consumers') throw new EntraError(9001023);
  throw new EntraError(90002, [segment]);
}

function renderError(ctx: EntraContext, rc: { req: IncomingMessage; res: ServerResponse }, shape: Shape, err: unknown): void {
  if (rc.res.headersSent) {
    rc.res.destroy();
    return;
  }
  rc.req.resume();
  let e: EntraError;
  if (err instanceof EntraError) {
    e = err;
  } else {
    // Unexpected failures are logged with an id and answered with a generic Entra error, never a stack.
    const id = randomUUID();
    ctx.logger.error('entra emulator request failed', { id, err });
    e = new EntraError(9002313, [`Unexpected emulator error ${id}.`]);
  }
  if (shape === 'html') {
    sendHtml(rc.res, e.status, errorPage(e, ctx.clock.now()));
    return;
  }
  const corr = rc.req.headers['client-request-id'];
  sendJson(rc.res, e.status, errorBody(e, ctx.clock.now(), typeof corr === 'string' ? corr : undefined), { 'cache-control': 'no-store' });
}

export function buildRouter(ctx: EntraContext, adminToken: string): Router {
  const r = new Router();
  const wrap = (shape: Shape, fn: (rc: RequestContext) => Promise<void> | void) => async (rc: RequestContext) => {
    try {
      await fn(rc);
    } catch (err) {
      renderError(ctx, rc, shape, err);
    }
  };
  const tenantRoute = (shape: Shape, fn: (t: Tenant, rc: RequestContext) => Promise<void> | void) =>
    wrap(shape, (rc) => fn(resolve(ctx, rc.params.tenant!), rc));

  r.add('GET', '/:tenant/v2.0/.well-known/openid-configuration', wrap('json', (rc) => {
    const seg = rc.params.tenant!;
    const doc = MULTI.has(seg.toLowerCase()) ? discoveryDocument(ctx, seg.toLowerCase(), undefined) : discoveryDocument(ctx, resolve(ctx, seg).id, resolve(ctx, seg).id);
    sendJson(rc.res, 200, doc, { 'cache-control': 'max-age=86400, private' });
  }));
  const keys = wrap('json', (rc) => {
    const seg = rc.params.tenant!;
    if (!MULTI.has(seg.toLowerCase())) resolve(ctx, seg);
    sendJson(rc.res, 200, jwks(ctx), { 'cache-control': 'max-age=86400, private' });
  });
  r.add('GET', '/:tenant/discovery/v2.0/keys', keys);
  r.add('GET', '/:tenant/discovery/keys', keys);
  for (const m of ['GET', 'POST']) {
    r.add(m, '/:tenant/oauth2/v2.0/authorize', tenantRoute('html', (t, rc) => handleAuthorize(ctx, t, rc)));
    r.add(m, '/:tenant/oauth2/v2.0/logout', tenantRoute('html', (t, rc) => handleLogout(ctx, t, rc)));
  }
  r.add('POST', '/:tenant/oauth2/v2.0/token', tenantRoute('json', (t, rc) => handleToken(ctx, t, rc.params.tenant!, rc)));
  r.add('POST', '/:tenant/oauth2/v2.0/devicecode', tenantRoute('json', (t, rc) => handleDeviceAuthorization(ctx, t, rc)));
  r.add('GET', '/:tenant/emulator/interaction/:uid', tenantRoute('html', (t, rc) => showInteraction(ctx, t, rc)));
  r.add('POST', '/:tenant/emulator/interaction/:uid/login', tenantRoute('html', (t, rc) => submitLogin(ctx, t, rc)));
  r.add('POST', '/:tenant/emulator/interaction/:uid/consent', tenantRoute('html', (t, rc) => submitConsent(ctx, t, rc)));
  r.add('GET', '/devicelogin', wrap('html', (rc) => showDeviceLogin(ctx, rc)));
  r.add('POST', '/devicelogin', wrap('html', (rc) => submitDeviceLogin(ctx, rc)));
  registerAdminApi(r, ctx, adminToken);
  return r;
}

/** The request listener: routes on the raw path; unknown paths get Entra's JSON error. */
export function createEntraListener(ctx: EntraContext, router: Router): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const m = router.match(method, rawPath);
    if (m === undefined || m === 'method') {
      const err = m === 'method'
        ? new EntraError(900561, [method === 'GET' ? 'POST' : 'GET', method])
        : new EntraError(9002313, [`No endpoint is served at ${rawPath.slice(0, 200)}.`], { status: 404 });
      renderError(ctx, { req, res }, 'json', err);
      return;
    }
    const rc: RequestContext = { req, res, rawPath, params: m.params, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)), requestId: randomUUID() };
    Promise.resolve().then(() => m.handler(rc)).catch((err: unknown) => renderError(ctx, { req, res }, 'json', err));
  };
}
