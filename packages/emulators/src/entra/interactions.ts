/**
 * The sign-in and consent pages behind /{tid}/emulator/interaction/{uid}. Each interaction is bound to
 * the browser cookie that started it and every form carries a CSRF token, so a leaked interaction URL
 * cannot be completed from another browser.
 */
import { timingSafeEqual } from 'node:crypto';
import { redirect, sendHtml, type RequestContext } from '@mandate/http';
import type { EntraContext } from './context.ts';
import type { Tenant } from './directory.ts';
import { EntraError, redirectDescription } from './errors.ts';
import { cookies, readForm } from './http-util.ts';
import { consentPage, formPageHeaders, loginPage, messagePage } from './pages.ts';
import { parseScopes } from './scopes.ts';
import { assertUserConsentable, describeConsent, missingConsent } from './consent.ts';
import { BROWSER_COOKIE, issueCode, respond, startSession, SESSION_COOKIE } from './authorize.ts';
import { INTERACTION_TTL, type Interaction } from './grant-store.ts';
import { interactionUrl } from './urls.ts';
import { approveDevice, declineDevice } from './device-code.ts';

function load(ctx: EntraContext, tenant: Tenant, rc: RequestContext): Interaction | undefined {
  const ix = ctx.store.interactions.get(rc.params.uid!);
  if (!ix || ix.tenantId !== tenant.id) return undefined;
  const browser = cookies(rc.req).get(BROWSER_COOKIE) ?? '';
  if (!safeEqual(browser, ix.browserId)) return undefined;
  return ix;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function expired(rc: RequestContext): void {
  sendHtml(rc.res, 400, messagePage('This sign-in request has expired', 'Go back to the application and try signing in again.'));
}

function clientName(ctx: EntraContext, tenant: Tenant, ix: Interaction): string {
  const clientId = ix.authorize?.clientId ?? ctx.store.deviceCodes.get(ix.deviceCode ?? '')?.clientId ?? '';
  return ctx.directory.findApp(tenant.id, clientId)?.displayName ?? clientId;
}

export function showInteraction(ctx: EntraContext, tenant: Tenant, rc: RequestContext): void {
  const ix = load(ctx, tenant, rc);
  if (!ix) return expired(rc);
  const base = interactionUrl(ctx.urls, tenant.id, rc.params.uid!);
  if (!ix.userId) {
    sendHtml(rc.res, 200, loginPage({ action: `${base}/login`, csrf: ix.csrf, appName: clientName(ctx, tenant, ix), tenantName: tenant.displayName, username: ix.authorize?.loginHint }), formPageHeaders(ix.authorize?.redirectUri));
    return;
  }
  const user = tenant.users.get(ix.userId);
  sendHtml(rc.res, 200, consentPage({
    action: `${base}/consent`, csrf: ix.csrf, appName: clientName(ctx, tenant, ix), username: user?.username ?? '',
    scopes: describeConsent(ctx, tenant, ix.pendingConsent ?? []),
  }), formPageHeaders(ix.authorize?.redirectUri));
}

export async function submitLogin(ctx: EntraContext, tenant: Tenant, rc: RequestContext): Promise<void> {
  const form = await readForm(rc.req);
  const uid = rc.params.uid!;
  const ix = load(ctx, tenant, rc);
  if (!ix || !safeEqual(form.get('csrf') ?? '', ix.csrf)) return expired(rc);
  const username = form.get('username') ?? '';
  const user = ctx.directory.findUserByName(tenant, username);
  const ok = user !== undefined && ctx.directory.checkPassword(user, form.get('password') ?? '');
  if (!ok || !user) {
    // Same message for unknown user and wrong password (no account enumeration).
    sendHtml(rc.res, 200, loginPage({
      action: `${interactionUrl(ctx.urls, tenant.id, uid)}/login`, csrf: ix.csrf, appName: clientName(ctx, tenant, ix),
      tenantName: tenant.displayName, username, error: 'Your account or password is incorrect (AADSTS50126).',
    }), formPageHeaders(ix.authorize?.redirectUri));
    return;
  }
  const now = ctx.clock.now();
  const sid = startSession(ctx, rc.res, tenant, user, now);
  ix.userId = user.id;
  ix.authTime = now;
  const clientId = ix.authorize?.clientId ?? ctx.store.deviceCodes.get(ix.deviceCode ?? '')?.clientId ?? '';
  const scope = ix.authorize?.scope ?? ctx.store.deviceCodes.get(ix.deviceCode ?? '')?.scope ?? '';
  ix.pendingConsent = missingConsent(ctx, tenant, user.id, clientId, parseScopes(ctx.directory, tenant, clientId, scope));
  if (ix.pendingConsent.length === 0 && ix.authorize?.prompt !== 'consent') {
    ctx.store.interactions.delete(uid);
    if (ix.authorize) return issueCode(ctx, rc.res, tenant, ix.authorize, user, now, sid);
    approveDevice(ctx, ix.deviceCode!, user.id, now);
    sendHtml(rc.res, 200, messagePage('You have signed in', 'You can close this window and return to your application.'));
    return;
  }
  try {
    assertUserConsentable(ctx, tenant, clientId, ix.pendingConsent);
  } catch (err) {
    ctx.store.interactions.delete(uid);
    if (!(err instanceof EntraError) || !ix.authorize) throw err;
    respond(rc.res, ix.authorize.redirectUri, ix.authorize.responseMode, {
      error: err.error, error_description: redirectDescription(err, now), ...(ix.authorize.state !== undefined ? { state: ix.authorize.state } : {}),
    });
    return;
  }
  ctx.store.interactions.set(uid, ix, INTERACTION_TTL);
  redirect(rc.res, interactionUrl(ctx.urls, tenant.id, uid), 303);
}

export async function submitConsent(ctx: EntraContext, tenant: Tenant, rc: RequestContext): Promise<void> {
  const form = await readForm(rc.req);
  const uid = rc.params.uid!;
  const ix = load(ctx, tenant, rc);
  if (!ix || !ix.userId || !safeEqual(form.get('csrf') ?? '', ix.csrf)) return expired(rc);
  const user = tenant.users.get(ix.userId);
  if (!user) return expired(rc);
  ctx.store.interactions.delete(uid);
  const accepted = form.get('decision') === 'accept';
  const clientId = ix.authorize?.clientId ?? ctx.store.deviceCodes.get(ix.deviceCode ?? '')?.clientId ?? '';
  if (accepted) ctx.directory.grantUserConsent(tenant, user.id, clientId, ix.pendingConsent ?? []);
  if (ix.authorize) {
    if (!accepted) {
      const err = new EntraError(65004);
      respond(rc.res, ix.authorize.redirectUri, ix.authorize.responseMode, {
        error: err.error, error_description: redirectDescription(err, ctx.clock.now()),
        ...(ix.authorize.state !== undefined ? { state: ix.authorize.state } : {}),
      });
      return;
    }
    const sid = cookies(rc.req).get(SESSION_COOKIE) ?? '';
    await issueCode(ctx, rc.res, tenant, ix.authorize, user, ix.authTime ?? ctx.clock.now(), sid);
    return;
  }
  if (accepted) {
    approveDevice(ctx, ix.deviceCode!, user.id, ix.authTime ?? ctx.clock.now());
    sendHtml(rc.res, 200, messagePage('You have signed in', 'You can close this window and return to your application.'));
  } else {
    declineDevice(ctx, ix.deviceCode!);
    sendHtml(rc.res, 200, messagePage('Sign-in cancelled', 'You declined the request. You can close this window.'));
  }
}
