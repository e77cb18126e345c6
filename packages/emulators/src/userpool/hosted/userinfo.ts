/**
 * GET/POST /{poolId}/oauth2/userInfo (OIDC Core §5.3): the signed-in user's attributes for a bearer
 * access token of this pool carrying `openid` or `aws.cognito.signin.user.admin`. What is returned
 * follows the token's scopes: `sub` and `username` always, `email` → email/email_verified, `phone` →
 * phone_number/phone_number_verified, `profile` or the admin scope → every attribute. As in Cognito,
 * the `*_verified` values are the strings "true"/"false". Errors follow RFC 6750 §3.
 */
import { CognitoError } from '../errors.ts';
import type { ServerResponse } from 'node:http';
import { sendJson, type RequestContext } from '@mandate/http';
import type { UserPoolContext } from '../protocol.ts';
import { ADMIN_SCOPE, verifyAccessToken } from '../tokens.ts';

const SCOPE_ATTRIBUTES: Record<string, string[]> = {
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};

function bearerError(res: ServerResponse, status: number, error: string | undefined, description: string): void {
  const challenge = error ? `Bearer error="${error}", error_description="${description.replace(/["\\]/g, '')}"` : 'Bearer';
  sendJson(res, status, error ? { error, error_description: description } : { error: 'invalid_request', error_description: description }, {
    'www-authenticate': challenge, 'cache-control': 'no-store',
  });
}

export function handleUserInfo(ctx: UserPoolContext) {
  return async ({ req, res, params }: RequestContext): Promise<void> => {
    req.resume();
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(auth);
    // RFC 6750 §3.1: a request without credentials gets a bare challenge.
    if (!m) return bearerError(res, 401, undefined, 'An access token is required (Authorization: Bearer).');
    let verified;
    try {
      verified = await verifyAccessToken(ctx.state, ctx.issuer, m[1]!, ['openid', ADMIN_SCOPE]);
    } catch (err) {
      if (!(err instanceof CognitoError)) throw err;
      if (err.message === 'Access Token does not have required scopes') return bearerError(res, 403, 'insufficient_scope', 'The access token needs the openid scope.');
      return bearerError(res, 401, 'invalid_token', err.message === 'Access Token has expired' ? 'Access token is expired' : 'Invalid access token');
    }
    const { pool, user, scopes } = verified;
    if (pool.id !== params.poolId) return bearerError(res, 401, 'invalid_token', 'Invalid access token');
    const all = scopes.includes('profile') || scopes.includes(ADMIN_SCOPE);
    const wanted = new Set(scopes.flatMap((s) => SCOPE_ATTRIBUTES[s] ?? []));
    const out: Record<string, string> = { sub: user.sub };
    for (const [name, value] of Object.entries(user.attributes)) if (all || wanted.has(name)) out[name] = value;
    out.username = user.username;
    sendJson(res, 200, out, { 'cache-control': 'no-store' });
  };
}
