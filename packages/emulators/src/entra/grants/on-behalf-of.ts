/**
 * On-behalf-of (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, requested_token_use=
 * on_behalf_of; reference §4). The assertion must be a delegated token issued by this tenant whose
 * audience is the calling app; the new token is for the scope's resource, subject to consent.
 */
import type { IncomingMessage } from 'node:http';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { EntraContext } from '../context.ts';
import type { Tenant } from '../directory.ts';
import { EntraError } from '../errors.ts';
import { param, required } from '../http-util.ts';
import { authenticateClient } from '../client-auth.ts';
import { issueDelegated, type TokenResponse } from '../issue.ts';
import { parseScopes, singleResource } from '../scopes.ts';
import { issuerV1, issuerV2 } from '../urls.ts';

export async function onBehalfOfGrant(ctx: EntraContext, tenant: Tenant, segment: string, p: URLSearchParams, req: IncomingMessage): Promise<TokenResponse> {
  const client = await authenticateClient(ctx, tenant, segment, p, req, { allowPublic: false });
  const use = required(p, 'requested_token_use');
  if (use !== 'on_behalf_of') throw new EntraError(9002313, [`requested_token_use must be 'on_behalf_of'.`]);
  const assertion = required(p, 'assertion');
  const scope = required(p, 'scope');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(assertion, ctx.tokens.key.publicKey, {
      algorithms: ['RS256'], issuer: [issuerV2(ctx.urls, tenant.id), issuerV1(ctx.urls, tenant.id)],
      currentDate: new Date(ctx.clock.now()), clockTolerance: 300,
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw new EntraError(500133);
    throw new EntraError(50013, ['The assertion is not a token issued by this tenant.']);
  }
  const audiences = [client.app.appId, ...client.app.identifierUris];
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
    throw new EntraError(50013, [`The assertion audience '${String(claims.aud)}' does not match the client '${client.app.appId}'.`]);
  }
  if (typeof claims.scp !== 'string') throw new EntraError(50013, ['An app-only token cannot be used as a user assertion.']);
  const user = typeof claims.oid === 'string' ? tenant.users.get(claims.oid) : undefined;
  if (!user || claims.tid !== tenant.id) throw new EntraError(50013, ['The assertion user was not found in this tenant.']);
  const parsed = parseScopes(ctx.directory, tenant, client.app.appId, scope);
  const resource = singleResource(parsed, scope);
  return await issueDelegated(ctx, {
    tenant, client, user, resource, oidc: parsed.oidc, authTime: (claims.iat ?? 0) * 1000,
    refresh: parsed.oidc.has('offline_access'), wantClientInfo: param(p, 'client_info') === '1',
  });
}
