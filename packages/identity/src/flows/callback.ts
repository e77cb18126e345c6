import * as o from 'oauth4webapi';
import { MandateError } from '@mandate/core';
import { collections } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { loadProvider, providerClient, providerError, toProviderTokens } from './provider-client.ts';
import { missingScopes } from './scopes.ts';
import { failSession, loadSession, notifySession, openCodeVerifier, openCustomState, sealPending, sessionUriOf, swapSession } from '../sessions/sessions.ts';

/**
 * The provider's redirect back to Mandate (`/identities/oauth2/callback/{callbackId}`). The `state` is
 * consumed atomically first (one-time, A.1 item 2), so a replayed callback does nothing; the session must
 * belong to the provider that owns this callback URL (mix-up defence, A.1 item 4) and `iss` is checked
 * when sent or advertised (RFC 9207). The code is redeemed with this session's PKCE verifier, and the tokens
 * are held in the session, not the vault, until the binding is confirmed (A.2 item 15).
 *
 * Returns where to send the browser: the workload's return URL with `session_id` (and `state` = customState).
 */
export async function handleCallback(services: IdentityServices, callbackId: string, state: string, query: URLSearchParams): Promise<string> {
  const cb = await services.store.get<{ providerName: string }>(collections.oauth2Callbacks, callbackId);
  if (!cb) throw new MandateError('not_found', 'This callback URL belongs to no credential provider.');
  const st = await services.store.get<{ sessionId: string }>(collections.authStates, state);
  // Consume exactly once, even with concurrent deliveries of the same callback.
  if (!st || !(await services.store.delete(collections.authStates, state, st.version))) {
    throw new MandateError('access_denied', 'The authorization response is unknown, expired or was already used.');
  }
  const s = await loadSession(services, st.doc.sessionId);
  if (!s || s.doc.status === 'COMPLETED' || s.doc.status === 'FAILED' || s.doc.status === 'AWAITING_BINDING') {
    throw new MandateError('access_denied', 'Invalid or expired session.');
  }
  if (s.doc.providerName !== cb.doc.providerName) {
    await failSession(services, s, { code: 'access_denied', message: 'The authorization response arrived at another provider\'s callback URL.' });
    throw new MandateError('access_denied', 'The authorization response arrived at another provider\'s callback URL.');
  }
  const pc = await providerClient(services, await loadProvider(services, s.doc.providerName));
  let tokens;
  let verifier: string | undefined;
  try {
    const params = o.validateAuthResponse(pc.as, pc.client, query, state);
    verifier = await openCodeVerifier(services, s.doc);
    const res = await o.authorizationCodeGrantRequest(pc.as, pc.client, pc.auth, params, pc.redirectUri, verifier, pc.options);
    const openid = s.doc.scopes.includes('openid');
    tokens = toProviderTokens(services, await o.processAuthorizationCodeResponse(pc.as, pc.client, res, openid ? { expectedNonce: s.doc.nonce } : {}));
    const missing = missingScopes(pc, s.doc.scopes, tokens.scope);
    if (missing.length > 0) throw new MandateError('access_denied', `Credential provider ${pc.doc.name} granted scopes other than the ones requested (missing: ${missing.join(' ')}).`);
  } catch (err) {
    const e = providerError(pc.doc.name, err, [...pc.secretValues, query.get('code') ?? undefined, verifier]);
    await failSession(services, s, { code: e.code === 'validation' ? 'validation' : 'access_denied', message: e.message });
    throw e;
  }
  const next = { ...s.doc, status: 'AWAITING_BINDING' as const, pending: await sealPending(services, s.doc.sessionId, tokens) };
  if (!(await swapSession(services, s, next))) throw new MandateError('access_denied', 'Invalid or expired session.');
  await notifySession(services, s.doc.sessionId);
  const ret = new URL(s.doc.returnUrl);
  ret.searchParams.set('session_id', sessionUriOf(s.doc.sessionId));
  const customState = await openCustomState(services, s.doc);
  if (customState !== undefined) ret.searchParams.set('state', customState);
  return ret.href;
}
