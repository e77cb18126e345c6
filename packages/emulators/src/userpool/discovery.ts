import { sendJson, type RequestContext } from '@mandate/http';
import { publicJwk } from './keys.ts';
import type { UserPoolContext } from './protocol.ts';
import { hostedEndpoints } from './hosted/index.ts';
import { STANDARD_SCOPES } from './ops/oauth-settings.ts';

/**
 * `/{poolId}/.well-known/openid-configuration` and `/{poolId}/.well-known/jwks.json`, as Cognito
 * publishes them, with the hosted sign-in's endpoints (on the emulator's own host; see hosted/index.ts)
 * and only what the emulator implements: the code flow with PKCE S256.
 */
export function discoveryHandler(ctx: UserPoolContext) {
  return ({ res, params }: RequestContext): void => {
    const pool = ctx.state.pool(params.poolId!);
    const issuer = ctx.issuer(pool.id);
    sendJson(res, 200, {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      ...hostedEndpoints(ctx, pool.id),
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      scopes_supported: [...STANDARD_SCOPES],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    }, { 'cache-control': 'max-age=300' });
  };
}

/**
 * RFC 8414 §3: the authorization server metadata of an issuer with a path lives at
 * `/.well-known/oauth-authorization-server/{path}`. The same document as the OIDC one, where MCP clients
 * look first.
 */
export function oauthMetadataHandler(ctx: UserPoolContext) {
  return discoveryHandler(ctx);
}

export function jwksHandler(ctx: UserPoolContext) {
  return ({ res, params }: RequestContext): void => {
    const pool = ctx.state.pool(params.poolId!);
    sendJson(res, 200, { keys: [publicJwk(pool.signingKey)] }, { 'cache-control': 'max-age=300' });
  };
}
