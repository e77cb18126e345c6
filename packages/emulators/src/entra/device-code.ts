/**
 * Device authorization (RFC 8628; reference §4): POST /{tenant}/oauth2/v2.0/devicecode and the
 * /devicelogin page where a person enters the user code, then signs in and consents.
 */
import { randomInt } from 'node:crypto';
import { randomToken } from '@mandate/core';
import { redirect, sendHtml, sendJson, type RequestContext } from '@mandate/http';
import type { EntraContext } from './context.ts';
import type { Tenant } from './directory.ts';
import { EntraError } from './errors.ts';
import { appendCookie, cookies, readForm, required, sessionCookie } from './http-util.ts';
import { deviceCodePage } from './pages.ts';
import { parseScopes } from './scopes.ts';
import { BROWSER_COOKIE } from './authorize.ts';
import { DEVICE_TTL, INTERACTION_TTL } from './grant-store.ts';
import { deviceLoginUrl, interactionUrl } from './urls.ts';

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ23456789'; // no vowels (no words), no 0/O/1/I ambiguity

function userCode(): string {
  let s = '';
  for (let i = 0; i < 9; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return s;
}

export async function handleDeviceAuthorization(ctx: EntraContext, tenant: Tenant, rc: RequestContext): Promise<void> {
  const p = await readForm(rc.req);
  const clientId = required(p, 'client_id');
  const app = ctx.directory.findApp(tenant.id, clientId);
  if (!app) throw new EntraError(700016, [clientId, tenant.id]);
  // Like Entra, any app may start the flow; redeeming it needs a credential unless the app is a public client (7000218).
  const scope = required(p, 'scope');
  parseScopes(ctx.directory, tenant, clientId, scope);
  const deviceCode = randomToken(48);
  const code = userCode();
  ctx.store.deviceCodes.set(deviceCode, { tenantId: tenant.id, clientId, scope, userCode: code, interval: ctx.deviceInterval, lastPoll: 0, status: 'pending' }, DEVICE_TTL);
  ctx.store.userCodes.set(code, deviceCode, DEVICE_TTL);
  const uri = deviceLoginUrl(ctx.urls);
  sendJson(rc.res, 200, {
    user_code: code, device_code: deviceCode, verification_uri: uri, expires_in: DEVICE_TTL / 1000, interval: ctx.deviceInterval,
    message: `To sign in, use a web browser to open the page ${uri} and enter the code ${code} to authenticate.`,
  }, { 'cache-control': 'no-store' });
}

export function showDeviceLogin(ctx: EntraContext, rc: RequestContext): void {
  sendHtml(rc.res, 200, deviceCodePage({ action: deviceLoginUrl(ctx.urls) }));
}

export async function submitDeviceLogin(ctx: EntraContext, rc: RequestContext): Promise<void> {
  const form = await readForm(rc.req);
  const code = (form.get('user_code') ?? '').replace(/[\s-]/g, '').toUpperCase();
  const deviceCode = code ? ctx.store.userCodes.get(code) : undefined;
  const rec = deviceCode ? ctx.store.deviceCodes.get(deviceCode) : undefined;
  if (!deviceCode || !rec || rec.status !== 'pending') {
    sendHtml(rc.res, 200, deviceCodePage({ action: deviceLoginUrl(ctx.urls), error: 'That code is not valid or has expired. Check the code and try again (AADSTS70018).' }));
    return;
  }
  let browserId = cookies(rc.req).get(BROWSER_COOKIE);
  if (!browserId) {
    browserId = randomToken();
    appendCookie(rc.res, sessionCookie(BROWSER_COOKIE, browserId));
  }
  const uid = randomToken();
  ctx.store.interactions.set(uid, { tenantId: rec.tenantId, browserId, csrf: randomToken(), kind: 'device', deviceCode }, INTERACTION_TTL);
  redirect(rc.res, interactionUrl(ctx.urls, rec.tenantId, uid), 303);
}

export function approveDevice(ctx: EntraContext, deviceCode: string, userId: string, authTime: number): void {
  const found = ctx.store.deviceCodes.peek(deviceCode);
  if (!found || found.expired || found.v.status !== 'pending') return;
  Object.assign(found.v, { status: 'approved', userId, authTime });
  ctx.store.userCodes.delete(found.v.userCode);
}

export function declineDevice(ctx: EntraContext, deviceCode: string): void {
  const found = ctx.store.deviceCodes.peek(deviceCode);
  if (found && found.v.status === 'pending') found.v.status = 'declined';
}
