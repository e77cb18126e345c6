/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, PKCE RFC 7636 §4.6). A replayed code answers
 * AADSTS54005 and — unlike RFC 6749's SHOULD — leaves tokens already issued valid, as Entra does.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EntraContext } from '../context.ts';
import type { Tenant } from '../directory.ts';
import { EntraError } from '../errors.ts';
import { CODE_TTL } from '../grant-store.ts';
import { param, required } from '../http-util.ts';
import { authenticateClient } from '../client-auth.ts';
import { issueDelegated, type TokenResponse } from '../issue.ts';
import { checkResourceIndicator, parseScopes, singleResource } from '../scopes.ts';

export async function authorizationCodeGrant(ctx: EntraContext, tenant: Tenant, segment: string, p: URLSearchParams, req: IncomingMessage): Promise<TokenResponse> {
  const client = await authenticateClient(ctx, tenant, segment, p, req, { allowPublic: true });
  const code = required(p, 'code');
  const redirectUri = required(p, 'redirect_uri');
  if (ctx.store.redeemedCodes.get(code)) throw new EntraError(54005);
  const found = ctx.store.codes.peek(code);
  if (!found) throw new EntraError(70000, ['The authorization code is invalid or malformed.']);
  if (found.expired) throw new EntraError(70008);
  const rec = found.v;
  if (rec.tenantId !== tenant.id) throw new EntraError(70000, ['The code was issued by a different tenant.']);
  if (rec.clientId !== client.app.appId) throw new EntraError(70000, ['The code was issued to a different client.']);
  if (rec.redirectUri !== redirectUri) throw new EntraError(50011, [redirectUri, client.app.appId], { error: 'invalid_grant' });
  if (rec.codeChallenge !== undefined) {
    const verifier = param(p, 'code_verifier');
    if (verifier === undefined) throw new EntraError(900144, ['code_verifier']);
    const derived = rec.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    const a = Buffer.from(derived);
    const b = Buffer.from(rec.codeChallenge);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new EntraError(501481);
  }
  // Single use: consume before minting so concurrent redemptions cannot both succeed.
  ctx.store.codes.delete(code);
  ctx.store.redeemedCodes.set(code, true, CODE_TTL * 6);
  const user = tenant.users.get(rec.userId);
  if (!user) throw new EntraError(70000, ['The user no longer exists.']);
  const codeScopes = parseScopes(ctx.directory, tenant, client.app.appId, rec.scope);
  const requested = param(p, 'scope');
  const reqScopes = requested ? parseScopes(ctx.directory, tenant, client.app.appId, requested) : codeScopes;
  checkResourceIndicator(ctx.directory, tenant, param(p, 'resource'), reqScopes);
  const resource = reqScopes.resources.length > 0 ? singleResource(reqScopes, requested ?? rec.scope) : singleResource(codeScopes, rec.scope, true);
  return await issueDelegated(ctx, {
    tenant, client, user, resource, oidc: codeScopes.oidc, authTime: rec.authTime, sid: rec.sid, nonce: rec.nonce,
    refresh: codeScopes.oidc.has('offline_access'), wantClientInfo: param(p, 'client_info') === '1',
  });
}
