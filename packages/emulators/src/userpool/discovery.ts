import { sendJson, type RequestContext } from '@mandate/http';
import { publicJwk } from './keys.ts';
import type { UserPoolContext } from './protocol.ts';

/**
 * `/{poolId}/.well-known/openid-configuration` and `/{poolId}/.well-known/jwks.json`, as Cognito
 * publishes them. The emulator has no hosted UI domain, so the document names no authorization, token
 * or userinfo endpoint; relying parties only need `issuer` and `jwks_uri` to verify its tokens.
 */
export function discoveryHandler(ctx: UserPoolContext) {
  return ({ res, params }: RequestContext): void => {
    const pool = ctx.state.pool(params.poolId!);
    const issuer = ctx.issuer(pool.id);
    sendJson(res, 200, {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'token'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    }, { 'cache-control': 'max-age=300' });
  };
}

export function jwksHandler(ctx: UserPoolContext) {
  return ({ res, params }: RequestContext): void => {
    const pool = ctx.state.pool(params.poolId!);
    sendJson(res, 200, { keys: [publicJwk(pool.signingKey)] }, { 'cache-control': 'max-age=300' });
  };
}
