/**
 * GET/POST /{tenant}/oauth2/v2.0/authorize (reference §1.1, §4). An unknown client or a redirect URI
 * that does not match exactly is an error PAGE (AADSTS700016 / 50011) — never a redirect to an
 * unverified URI (RFC 6749 §4.1.2.1). Every later error goes to the redirect URI.
 */
import type { ServerResponse } from 'node:http';
import { randomToken } from '@mandate/core';
import { redirect, sendHtml, type RequestContext } from '@mandate/http';
import type { EntraContext } from './context.ts';
import { guidFromHash, type Tenant, type User } from './directory.ts';
import { EntraError, redirectDescription } from './errors.ts';
import { appendCookie, cookies, param, readForm, sessionCookie } from './http-util.ts';
import { errorPage, sendFormPost } from './pages.ts';
import { checkResourceIndicator, parseScopes } from './scopes.ts';
import { assertUserConsentable, missingConsent } from './consent.ts';
import { CODE_TTL, INTERACTION_TTL, SESSION_TTL, type AuthorizeParams } from './grant-store.ts';
import { interactionUrl } from './urls.ts';

export const BROWSER_COOKIE = 'mandate_entra_browser';
export const SESSION_COOKIE = 'mandate_entra_session';

export async function handleAuthorize(ctx: EntraContext, tenant: Tenant, rc: RequestContext): Promise<void> {
  const p = rc.req.method === 'POST' ? await readForm(rc.req) : rc.query;
  const now = ctx.clock.now();
  let clientId: string | undefined;
  let redirectUri: string | undefined;
  try {
    clientId = param(p, 'client_id');
    if (!clientId) throw new EntraError(900144, ['client_id']);
    const app = ctx.directory.findApp(tenant.id, clientId);
    if (!app) throw new EntraError(700016, [clientId, tenant.id]);
    redirectUri = param(p, 'redirect_uri');
    if (!redirectUri) throw new EntraError(900144, ['redirect_uri']);
    if (!app.redirectUris.includes(redirectUri)) throw new EntraError(50011, [redirectUri, app.appId]);
  } catch (err) {
    if (!(err instanceof EntraError)) throw err;
    sendHtml(rc.res, err.status, errorPage(err, now));
    return;
  }

  const modeParam = param(p, 'response_mode') ?? 'query';
  const responseMode = modeParam === 'fragment' || modeParam === 'form_post' ? modeParam : 'query';
  const state = param(p, 'state');
  const fail = (err: EntraError) => respond(rc.res, redirectUri!, responseMode, {
    error: err.error, error_description: redirectDescription(err, now), ...(state !== undefined ? { state } : {}),
  });
  try {
    if (modeParam !== responseMode) throw new EntraError(9002313, [`response_mode '${modeParam}' is not supported.`]);
    const responseType = param(p, 'response_type');
    if (!responseType) throw new EntraError(900144, ['response_type']);
    if (responseType !== 'code') throw new EntraError(70005, [responseType], { error: 'unsupported_response_type' });
    const scope = param(p, 'scope');
    if (!scope) throw new EntraError(900144, ['scope']);
    const parsed = parseScopes(ctx.directory, tenant, clientId, scope);
    checkResourceIndicator(ctx.directory, tenant, param(p, 'resource'), parsed);
    const codeChallenge = param(p, 'code_challenge');
    let method = param(p, 'code_challenge_method');
    if (codeChallenge !== undefined) {
      method ??= 'plain'; // RFC 7636 §4.3 default
      if (method !== 'S256' && method !== 'plain') throw new EntraError(9002313, [`code_challenge_method '${method}' is not supported; use S256.`]);
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(codeChallenge)) throw new EntraError(9002313, ['code_challenge must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.2).']);
    } else if (method !== undefined) {
      throw new EntraError(900144, ['code_challenge']);
    }
    const app = ctx.directory.findApp(tenant.id, clientId)!;
    // Public clients cannot keep a secret, so PKCE is their only protection against code interception (RFC 9700 §2.1.1).
    if (app.publicClient && codeChallenge === undefined && app.clientSecrets.length === 0 && app.certificates.length === 0) {
      throw new EntraError(9002313, ['Proof Key for Code Exchange (code_challenge) is required for public clients.']);
    }
    const prompt = param(p, 'prompt');
    if (prompt !== undefined && !['none', 'login', 'consent', 'select_account', 'create'].includes(prompt)) {
      throw new EntraError(9002313, [`prompt '${prompt}' is not supported.`]);
    }
    const params: AuthorizeParams = {
      clientId, redirectUri, responseMode, scope, state, nonce: param(p, 'nonce'), codeChallenge,
      codeChallengeMethod: codeChallenge !== undefined ? method : undefined, prompt, loginHint: param(p, 'login_hint'),
    };

    // Headless mode: a login_hint naming a seeded user signs in and consents without any page.
    const hinted = ctx.headless && params.loginHint ? ctx.directory.findUserByName(tenant, params.loginHint) : undefined;
    if (hinted) {
      const missing = missingConsent(ctx, tenant, hinted.id, clientId, parsed);
      assertUserConsentable(ctx, tenant, clientId, missing);
      ctx.directory.grantUserConsent(tenant, hinted.id, clientId, missing);
      const sid = startSession(ctx, rc.res, tenant, hinted, now);
      await issueCode(ctx, rc.res, tenant, params, hinted, now, sid);
      return;
    }

    const jar = cookies(rc.req);
    const sid = jar.get(SESSION_COOKIE);
    const session = sid && prompt !== 'login' ? ctx.store.sessions.get(sid) : undefined;
    const user = session?.tenantId === tenant.id ? tenant.users.get(session.userId) : undefined;
    if (user && sid) {
      const missing = missingConsent(ctx, tenant, user.id, clientId, parsed);
      if (missing.length === 0 && prompt !== 'consent') {
        await issueCode(ctx, rc.res, tenant, params, user, session!.authTime, sid);
        return;
      }
      if (prompt === 'none') throw new EntraError(65001, [clientId, app.displayName], { error: 'consent_required' });
      assertUserConsentable(ctx, tenant, clientId, missing);
    } else if (prompt === 'none') {
      throw new EntraError(50058);
    }

    let browserId = jar.get(BROWSER_COOKIE);
    if (!browserId) {
      browserId = randomToken();
      appendCookie(rc.res, sessionCookie(BROWSER_COOKIE, browserId));
    }
    const uid = randomToken();
    ctx.store.interactions.set(uid, {
      tenantId: tenant.id, browserId, csrf: randomToken(), kind: 'authorize', authorize: params,
      ...(user ? { userId: user.id, authTime: session!.authTime, pendingConsent: missingConsent(ctx, tenant, user.id, clientId, parsed) } : {}),
    }, INTERACTION_TTL);
    redirect(rc.res, interactionUrl(ctx.urls, tenant.id, uid), 302);
  } catch (err) {
    if (!(err instanceof EntraError)) throw err;
    fail(err);
  }
}

export function startSession(ctx: EntraContext, res: ServerResponse, tenant: Tenant, user: User, authTime: number): string {
  const sid = randomToken();
  ctx.store.sessions.set(sid, { tenantId: tenant.id, userId: user.id, authTime }, SESSION_TTL);
  appendCookie(res, sessionCookie(SESSION_COOKIE, sid));
  return sid;
}

/** Issues a single-use code (≈10 min, reference §4) and returns it to the client. */
export async function issueCode(ctx: EntraContext, res: ServerResponse, tenant: Tenant, params: AuthorizeParams, user: User, authTime: number, sid: string): Promise<void> {
  const code = randomToken(48);
  ctx.store.codes.set(code, {
    tenantId: tenant.id, clientId: params.clientId, redirectUri: params.redirectUri, userId: user.id, scope: params.scope,
    nonce: params.nonce, codeChallenge: params.codeChallenge, codeChallengeMethod: params.codeChallengeMethod, authTime, sid,
  }, CODE_TTL);
  respond(res, params.redirectUri, params.responseMode, {
    code, ...(params.state !== undefined ? { state: params.state } : {}), session_state: sessionState(sid),
  });
}

/** Sends the authorization response to the (already verified) redirect URI in the requested mode. */
export function respond(res: ServerResponse, redirectUri: string, mode: AuthorizeParams['responseMode'], fields: Record<string, string>): void {
  if (mode === 'form_post') {
    sendFormPost(res, redirectUri, fields);
    return;
  }
  const url = new URL(redirectUri);
  if (mode === 'fragment') {
    url.hash = new URLSearchParams(fields).toString();
  } else {
    for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
  }
  redirect(res, url.toString(), 302);
}

/** Entra's `session_state` is a GUID identifying the browser session; derived from the session id. */
function sessionState(sid: string): string {
  return guidFromHash(`session:${sid}`);
}
