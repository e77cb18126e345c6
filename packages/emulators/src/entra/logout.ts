/** GET/POST /{tenant}/oauth2/v2.0/logout: ends the browser session; redirects only to a registered URI. */
import { redirect, sendHtml, type RequestContext } from '@mandate/http';
import type { EntraContext } from './context.ts';
import type { Tenant } from './directory.ts';
import { appendCookie, cookies, readForm, sessionCookie } from './http-util.ts';
import { messagePage } from './pages.ts';
import { SESSION_COOKIE } from './authorize.ts';

export async function handleLogout(ctx: EntraContext, tenant: Tenant, rc: RequestContext): Promise<void> {
  const p = rc.req.method === 'POST' ? await readForm(rc.req) : rc.query;
  const sid = cookies(rc.req).get(SESSION_COOKIE);
  if (sid) ctx.store.sessions.delete(sid);
  appendCookie(rc.res, sessionCookie(SESSION_COOKIE, '', 0));
  const target = p.get('post_logout_redirect_uri');
  const clientId = p.get('client_id');
  const apps = clientId ? [ctx.directory.findApp(tenant.id, clientId)].filter((a) => a !== undefined) : [...tenant.apps.values()];
  if (target && apps.some((a) => a.redirectUris.includes(target))) {
    redirect(rc.res, target, 302);
    return;
  }
  sendHtml(rc.res, 200, messagePage('You signed out of your account', 'It’s a good idea to close all browser windows.'));
}
