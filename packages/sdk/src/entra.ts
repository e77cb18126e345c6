import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import { MandateSdkError } from './errors.ts';

export interface VerifyEntraOptions {
  tenantId: string;
  /** The API's application (client) id, or its Application ID URI for v1 tokens. */
  audience: string | string[];
  /** Default https://login.microsoftonline.com; the Entra emulator's base URL in tests. */
  authorityBase?: string;
  /** Scopes of which at least one must be in `scp` (delegated tokens). */
  requiredScopes?: string[];
  fetch?: typeof globalThis.fetch;
}

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Validates an Entra v2 access token locally (the seed notebook's "validate locally" step, done properly):
 * signature from the tenant's JWKS, RS256 only, exact tenant issuer, audience, `tid` equal to the tenant
 * (entra-id.md §2.6), and optionally a delegated scope. Throws MandateSdkError('access_denied').
 */
export async function verifyEntraAccessToken(token: string, options: VerifyEntraOptions): Promise<JWTPayload> {
  const base = (options.authorityBase ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  const issuer = `${base}/${options.tenantId}/v2.0`;
  const jwksUrl = `${base}/${options.tenantId}/discovery/v2.0/keys`;
  let jwks = jwksCache.get(jwksUrl);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(jwksUrl), options.fetch ? { [customFetch]: options.fetch } : {});
    jwksCache.set(jwksUrl, jwks);
  }
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience: options.audience, algorithms: ['RS256'], requiredClaims: ['exp', 'tid'] });
    if (payload.tid !== options.tenantId) throw new Error('tid does not match the tenant');
    if (options.requiredScopes?.length) {
      const scp = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
      if (!options.requiredScopes.some((s) => scp.includes(s))) throw new Error('no required scope in scp');
    }
    return payload;
  } catch (err) {
    throw new MandateSdkError('access_denied', `The Entra access token is not valid: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
