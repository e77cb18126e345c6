import * as o from 'oauth4webapi';
import { MandateError, randomToken } from '@mandate/core';
import { escapeHtml, redirect, sendHtml, type RequestContext } from '@mandate/http';
import { collections, type InboundJwtConfig, type Oauth2ProviderDoc, type WorkloadIdentityDoc } from '../model.ts';
import { clientSecretContext } from '../flows/provider-client.ts';
import type { IdentityServices } from '../services.ts';
import type { SealedSecret } from '@mandate/core';
import { loadWorkload } from '../workload/access.ts';
import { checkResolvedHost } from '@mandate/edge';
import { checkDiscoveryUrl } from '../inbound-jwt/index.ts';
import { completeSession } from '../flows/complete.ts';
import { invalidSession, loadSession, sessionIdOf, SESSION_LIFETIME_MS, type LoadedSession } from '../sessions/sessions.ts';
import { showUserPoolForm } from './user-pool-login.ts';
import { verifyUserToken } from '../flows/user-jwt.ts';
import { page } from './page.ts';

/**
 * Mandate's built-in return page: a ready-made session-binding verifier (landscape §4 item 2), so a
 * workload needs no application of its own to call CompleteResourceTokenAuth. Put
 * `${publicUrl}/identities/oauth2/return` in the workload's allowedResourceOauth2ReturnUrls.
 *
 * After the provider consent, the browser lands here with `session_id`. Mandate signs the user in again
 * with the workload's inbound identity provider (the first `inboundJwt` entry): an OpenID Connect
 * authorization-code flow with PKCE as a public client, `client_id` = the entry's first allowedAudience
 * that is not a URL (for Entra, the agent API's app id: Entra's `sub` is pairwise per app, so only a login
 * to that same app yields the `sub` the user's access tokens carry), else its first allowedClient. That
 * app must list `${publicUrl}/identities/oauth2/return/login` as a redirect URI. The ID token is verified
 * like any user token of the workload, its (iss, sub) compared with the session's binding, and the
 * session completes on a match or fails on a mismatch (nothing stored). A user-pool issuer (no
 * authorization endpoint) gets Mandate's own sign-in form instead (user-pool-login.ts). Sessions started
 * for a user id cannot be confirmed here: only the application knows who that is.
 */
interface ReturnLoginDoc {
  kind: 'return-login';
  sessionId: string;
  discoveryUrl: string;
  clientId: string;
  nonce: string;
  codeVerifier: SealedSecret;
}

const LOGIN_PREFIX = 'rl.';
const ctx = (state: string) => ({ kind: 'return-login', state });

function loginRedirectUri(services: IdentityServices): string {
  return `${services.config.publicUrl}/identities/oauth2/return/login`;
}

function loginClientId(cfg: InboundJwtConfig): string | undefined {
  return cfg.allowedAudience?.find((a) => !a.includes(':')) ?? cfg.allowedClients?.[0];
}

export async function discoverAs(services: IdentityServices, discoveryUrl: string): Promise<o.AuthorizationServer> {
  const url = new URL(discoveryUrl);
  const issuer = new URL(discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, ''));
  // The rule for every admin-configured URL Mandate dials (SSRF): https (loopback http in dev mode), no private address.
  try {
    await checkResolvedHost(checkDiscoveryUrl(discoveryUrl, services.config.devMode), 'discoveryUrl', services.config.devMode);
  } catch {
    throw new MandateError('validation', 'The workload\'s identity provider URL is not one Mandate may call (https on a public address).');
  }
  try {
    // Discovery is a GET without a body; passing only what it sets keeps RequestInit free of `body: undefined`.
    const customFetch = (u: string, init: o.CustomFetchOptions<'GET', undefined>) =>
      services.fetch(u, { method: init.method, headers: init.headers, redirect: init.redirect, ...(init.signal ? { signal: init.signal } : {}) });
    const res = await o.discoveryRequest(issuer, { [o.customFetch]: customFetch, [o.allowInsecureRequests]: services.config.devMode, algorithm: 'oidc' });
    return await o.processDiscoveryResponse(issuer, res);
  } catch (err) {
    if (err instanceof MandateError) throw err;
    throw new MandateError('unavailable', `The identity provider at ${url.origin} could not be reached to sign you in.`, { cause: err });
  }
}

/**
 * How the return page authenticates at the inbound IdP's token endpoint: when one of the workload's
 * OAuth2 credential providers is registered with the same client id (the notebook's setup: one Entra app is
 * both the agent's API and its outbound client), its secret is used; otherwise the login is a public client
 * (PKCE only).
 */
async function loginClientAuth(services: IdentityServices, clientId: string): Promise<o.ClientAuth> {
  let after: string | undefined;
  do {
    const page = await services.store.list<Oauth2ProviderDoc>(collections.oauth2Providers, after === undefined ? { limit: 100 } : { limit: 100, after });
    for (const { doc } of page.items) {
      if (doc.clientId === clientId && doc.clientSecret) {
        const secret = await services.secrets.open(doc.clientSecret, clientSecretContext(doc.name));
        return doc.clientAuthenticationMethod === 'CLIENT_SECRET_BASIC' ? o.ClientSecretBasic(secret) : o.ClientSecretPost(secret);
      }
    }
    after = page.next;
  } while (after !== undefined);
  return o.None();
}

export async function handleReturnPage(services: IdentityServices, rc: RequestContext, sessionUri: string): Promise<void> {
  const id = sessionIdOf(sessionUri);
  const s = id ? await loadSession(services, id) : undefined;
  if (!s || s.doc.status !== 'AWAITING_BINDING') throw invalidSession();
  if (s.doc.user.kind !== 'jwt') {
    // A user id proves nothing Mandate can check in a browser; the application must call CompleteResourceTokenAuth.
    throw new MandateError('validation', 'This authorization was started for a user id, which only the application can confirm; Mandate\'s return page can only confirm users of the workload\'s identity provider.');
  }
  const workload = await loadWorkload(services, s.doc.workloadName);
  const cfg = workload.inboundJwt?.[0];
  const clientId = cfg && loginClientId(cfg);
  if (!cfg || !clientId) {
    throw new MandateError('validation', `Workload identity ${workload.name} has no inbound identity provider Mandate could sign you in with; it needs its own return URL.`);
  }
  const as = await discoverAs(services, cfg.discoveryUrl);
  // A user pool (Cognito-style) has no authorization endpoint: Mandate shows its own sign-in form.
  if (!as.authorization_endpoint) return showUserPoolForm(services, rc, s.doc.sessionId, s.doc.expiresAt, cfg.discoveryUrl, clientId);
  const state = LOGIN_PREFIX + randomToken(32);
  const verifier = o.generateRandomCodeVerifier();
  const doc: ReturnLoginDoc = {
    kind: 'return-login',
    sessionId: s.doc.sessionId,
    discoveryUrl: cfg.discoveryUrl,
    clientId,
    nonce: randomToken(24),
    codeVerifier: await services.secrets.seal(verifier, ctx(state)),
  };
  await services.store.insert(collections.authStates, state, doc, { expiresAt: Math.min(s.doc.expiresAt, services.clock.now() + SESSION_LIFETIME_MS) });
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', loginRedirectUri(services));
  url.searchParams.set('scope', 'openid profile');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', doc.nonce);
  url.searchParams.set('code_challenge', await o.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  redirect(rc.res, url.href);
}

export async function handleReturnLogin(services: IdentityServices, rc: RequestContext, state: string): Promise<void> {
  if (!state.startsWith(LOGIN_PREFIX)) throw new MandateError('validation', 'The sign-in response has no valid state.');
  const rec = await services.store.get<ReturnLoginDoc>(collections.authStates, state);
  if (!rec || rec.doc.kind !== 'return-login' || !(await services.store.delete(collections.authStates, state, rec.version))) {
    throw new MandateError('access_denied', 'The sign-in response is unknown, expired or was already used.');
  }
  const s = await loadSession(services, rec.doc.sessionId);
  if (!s || s.doc.status !== 'AWAITING_BINDING') throw invalidSession();
  const workload = await loadWorkload(services, s.doc.workloadName);
  const as = await discoverAs(services, rec.doc.discoveryUrl);
  const client: o.Client = { client_id: rec.doc.clientId };
  const auth = await loginClientAuth(services, rec.doc.clientId);
  const options = { [o.customFetch]: services.fetch, ...(services.config.devMode ? { [o.allowInsecureRequests]: true } : {}) };
  let idToken: string | undefined;
  try {
    const params = o.validateAuthResponse(as, client, rc.query, state);
    const res = await o.authorizationCodeGrantRequest(as, client, auth, params, loginRedirectUri(services), await services.secrets.open(rec.doc.codeVerifier, ctx(state)), options);
    const out = await o.processAuthorizationCodeResponse(as, client, res, { expectedNonce: rec.doc.nonce, requireIdToken: true });
    idToken = out.id_token;
  } catch (err) {
    throw signInFailure(err, rec.doc.discoveryUrl);
  }
  await finishBinding(services, rc, s, workload, rec.doc.discoveryUrl, rec.doc.clientId, idToken!);
}

/**
 * Says which side failed: the identity provider refused (its OAuth error code, RFC 6749 §4.1.2.1 / §5.2),
 * its answer failed verification (state, nonce, ID token), or it could not be reached at all.
 */
function signInFailure(err: unknown, discoveryUrl: string): MandateError {
  const idp = URL.canParse(discoveryUrl) ? new URL(discoveryUrl).origin : 'the identity provider';
  if (err instanceof o.AuthorizationResponseError || err instanceof o.ResponseBodyError) {
    return new MandateError('access_denied', `The identity provider at ${idp} refused the sign-in (${err.error}).`, { cause: err });
  }
  if (err instanceof o.OperationProcessingError) {
    return new MandateError('access_denied', `The answer of the identity provider at ${idp} failed verification, so you were not signed in.`, { cause: err });
  }
  return new MandateError('unavailable', `The identity provider at ${idp} could not be reached to finish signing you in.`, { cause: err });
}

/**
 * Verifies the ID token of the user who just signed in like any user token of the workload (signature,
 * issuer, audience = the login client), then completes the session when its (iss, sub) is the session's
 * user, or fails it (nothing stored) when it is not.
 */
export async function finishBinding(services: IdentityServices, rc: RequestContext, s: LoadedSession, workload: WorkloadIdentityDoc, discoveryUrl: string, clientId: string, idToken: string): Promise<void> {
  const cfg = workload.inboundJwt?.find((c) => c.discoveryUrl === discoveryUrl);
  const user = await verifyUserToken(services, idToken, cfg ? [{ discoveryUrl: cfg.discoveryUrl, allowedAudience: [clientId] }] : []);
  try {
    await completeSession(services, s, { kind: 'jwt', issuer: user.issuer, subject: user.subject });
  } catch (err) {
    // Only a different user gets this page; an expired session, a lock timeout or a store failure keeps its own code and message.
    if (!(err instanceof MandateError) || err.code !== 'binding_mismatch') throw err;
    sendHtml(rc.res, 403, page('Access not granted', '<p>You are signed in as a different user than the one who asked for this access, so nothing was stored. Ask the agent to start again while signed in as yourself.</p>'));
    services.logger.warn('built-in return page refused a binding', { error: err });
    return;
  }
  sendHtml(rc.res, 200, page('Access granted', `<p>Signed in as ${escapeHtml(String(user.claims.preferred_username ?? user.claims['cognito:username'] ?? user.claims.email ?? user.claims.name ?? user.subject))}. The agent can now continue; you can close this window.</p>`));
}
