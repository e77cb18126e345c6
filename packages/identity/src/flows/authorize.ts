import * as o from 'oauth4webapi';
import type { IdentityServices } from '../services.ts';
import { joinScopes, loadProvider, providerClient } from './provider-client.ts';
import { userScopes } from './scopes.ts';
import { openCodeVerifier, swapSession, type LoadedSession } from '../sessions/sessions.ts';

/** Parameters Mandate sets itself; customParameters may not override them (they carry the flow's security). */
const RESERVED = new Set(['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'request_uri', 'request', 'response_mode']);

/**
 * The provider authorization URL for a session: code flow with PKCE S256 (RFC 7636, A.1 item 1), the
 * session's one-time `state` and `nonce`, the vendor's refresh-token scope (in the vendor's scope parameter),
 * RFC 8707 `resource` (unless the vendor refuses it), `audience`, and the caller's customParameters. PKCE is
 * sent to every vendor: one that does not implement it ignores the parameters (RFC 6749 §3.1).
 */
export async function providerAuthorizationUrl(services: IdentityServices, s: LoadedSession): Promise<string> {
  const d = s.doc;
  const pc = await providerClient(services, await loadProvider(services, d.providerName));
  const url = new URL(pc.as.authorization_endpoint!);
  const p = url.searchParams;
  for (const [k, v] of Object.entries(pc.quirks.authorizationParams ?? {})) p.set(k, v);
  const scopeParam = pc.quirks.userScopeParam ?? 'scope';
  for (const [k, v] of Object.entries(d.customParameters ?? {})) if (!RESERVED.has(k.toLowerCase()) && k.toLowerCase() !== scopeParam) p.set(k, v);
  p.set('response_type', 'code');
  p.set('client_id', pc.client.client_id);
  p.set('redirect_uri', pc.redirectUri);
  if (!pc.quirks.noScopes) p.set(scopeParam, joinScopes(pc, userScopes(pc, d.scopes)));
  p.set('state', d.state);
  p.set('nonce', d.nonce);
  p.set('code_challenge', await o.calculatePKCECodeChallenge(await openCodeVerifier(services, d)));
  p.set('code_challenge_method', 'S256');
  if (!pc.quirks.noResourceIndicators) for (const r of d.resources ?? []) p.append('resource', r);
  for (const a of d.audiences ?? []) p.append('audience', a);
  if (d.status === 'PENDING') await swapSession(services, s, { ...d, status: 'AUTHORIZING' });
  return url.href;
}
