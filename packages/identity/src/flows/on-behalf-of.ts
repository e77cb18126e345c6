import { createHash } from 'node:crypto';
import * as o from 'oauth4webapi';
import { MandateError } from '@mandate/core';
import type { IdentityServices } from '../services.ts';
import type { VerifiedWorkloadToken } from '../workload/token.ts';
import { isFresh } from './freshness.ts';
import { joinScopes, providerError, toProviderTokens, type ProviderClient } from './provider-client.ts';
import { scopesKey } from '../model.ts';

/**
 * ON_BEHALF_OF_TOKEN_EXCHANGE: the user's own token (the one the WAT was minted from with
 * GetWorkloadAccessTokenForJWT, carried sealed inside the WAT) is exchanged for a downstream token, so a
 * user signed in with Entra needs no second consent.
 *   - Entra: jwt-bearer + requested_token_use=on_behalf_of (entra-id.md §4; it is not RFC 8693, pain #16);
 *     the assertion's audience must be the provider's app, which Entra itself enforces (AADSTS50013).
 *   - other providers: RFC 8693 token exchange.
 * Results are cached in memory per (user token, provider, scopes) until shortly before expiry.
 */
const cache = new WeakMap<IdentityServices, Map<string, { token: string; expiresAt: number | undefined }>>();
const inflight = new WeakMap<IdentityServices, Map<string, Promise<string>>>();

export async function onBehalfOf(services: IdentityServices, pc: ProviderClient, wat: VerifiedWorkloadToken, req: { scopes: string[]; audiences?: string[] | undefined; resources?: string[] | undefined }): Promise<string> {
  if (!wat.userToken) {
    throw new MandateError('validation', 'ON_BEHALF_OF_TOKEN_EXCHANGE needs a workload access token minted from the user\'s token (GetWorkloadAccessTokenForJWT).');
  }
  const key = createHash('sha256').update([wat.userToken, pc.doc.name, pc.doc.lastUpdatedTime, scopesKey(req.scopes), scopesKey(req.audiences ?? []), scopesKey(req.resources ?? [])].join('\u0000')).digest('base64url');
  let c = cache.get(services);
  if (!c) cache.set(services, (c = new Map()));
  const hit = c.get(key);
  if (hit && isFresh(hit.expiresAt, services.clock.now())) return hit.token;
  let f = inflight.get(services);
  if (!f) inflight.set(services, (f = new Map()));
  const running = f.get(key);
  if (running) return running;
  const memo = c;
  const p = exchange(services, pc, wat.userToken, req).then((t) => {
    // Without expires_in the token is still only reused for a few minutes; entries never outlive their token.
    const expiresAt = t.expiresAt ?? services.clock.now() + 5 * 60_000;
    memo.set(key, { token: t.accessToken, expiresAt });
    setTimeout(() => memo.delete(key), Math.max(0, expiresAt - services.clock.now())).unref();
    return t.accessToken;
  });
  f.set(key, p);
  const flights = f;
  try {
    return await p;
  } finally {
    flights.delete(key);
  }
}

async function exchange(services: IdentityServices, pc: ProviderClient, userToken: string, req: { scopes: string[]; audiences?: string[] | undefined; resources?: string[] | undefined }) {
  const params = new URLSearchParams();
  let grantType: string;
  if (pc.quirks.onBehalfOfGrant === 'jwt-bearer') {
    grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    params.set('assertion', userToken);
    params.set('requested_token_use', 'on_behalf_of');
  } else {
    grantType = 'urn:ietf:params:oauth:grant-type:token-exchange'; // RFC 8693 §2.1
    params.set('subject_token', userToken);
    params.set('subject_token_type', 'urn:ietf:params:oauth:token-type:access_token');
    params.set('requested_token_type', 'urn:ietf:params:oauth:token-type:access_token');
    for (const r of req.resources ?? []) params.append('resource', r);
    for (const a of req.audiences ?? []) params.append('audience', a);
  }
  if (req.scopes.length && !pc.quirks.noScopes) params.set('scope', joinScopes(pc, req.scopes));
  try {
    const res = await o.genericTokenEndpointRequest(pc.as, pc.client, pc.auth, grantType, params, pc.options);
    return toProviderTokens(services, await o.processGenericTokenEndpointResponse(pc.as, pc.client, res));
  } catch (err) {
    throw providerError(pc.doc.name, err, [...pc.secretValues, userToken]);
  }
}
