/**
 * The weather API's view of the bearer token: decode it, and — when an issuer/JWKS is configured —
 * verify it like a resource server would (RS256 only, issuer, audience, expiry; RFC 7519 §7.2,
 * RFC 8725 §3.1 algorithm allow-list). Uses node:crypto only, so the example has no extra dependency.
 */
import { createPublicKey, verify, type KeyObject, type JsonWebKey } from 'node:crypto';

export type Claims = Readonly<Record<string, unknown>>;

export class TokenRejectedError extends Error {
  constructor(reason: string) {
    super(`Access token rejected: ${reason}`);
    this.name = 'TokenRejectedError';
  }
}

interface DecodedJwt {
  readonly header: Claims;
  readonly claims: Claims;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function parseSegment(segment: string | undefined, what: string): Claims {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Claims;
  } catch {
    // fall through to the precise error below
  }
  throw new TokenRejectedError(`malformed JWT ${what}`);
}

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenRejectedError('not a compact JWS');
  return {
    header: parseSegment(parts[0], 'header'),
    claims: parseSegment(parts[1], 'payload'),
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2] ?? '', 'base64url'),
  };
}

/** Expiry/not-before with a small leeway for clock skew (RFC 7519 §4.1.4, §4.1.5). */
export function checkTimes(claims: Claims, nowSeconds: number, leewaySeconds = 60): void {
  if (typeof claims['exp'] !== 'number') throw new TokenRejectedError('missing exp');
  if (claims['exp'] + leewaySeconds <= nowSeconds) throw new TokenRejectedError('expired');
  if (typeof claims['nbf'] === 'number' && claims['nbf'] - leewaySeconds > nowSeconds) throw new TokenRejectedError('not yet valid');
}

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Accepted `aud` values; Entra v2 puts the API's client-id GUID here, v1 the App ID URI. */
  readonly audiences: readonly string[];
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_REFRESH_COOLDOWN_MS = 30_000;

/** Verifies RS256 JWTs against a remote JWKS; keys are cached (rotation: refetch on unknown kid). */
export class JwtVerifier {
  readonly #options: JwtVerifierOptions;
  #keys = new Map<string, KeyObject>();
  #fetchedAt = 0;

  constructor(options: JwtVerifierOptions) {
    this.#options = options;
  }

  async verify(token: string): Promise<Claims> {
    const jwt = decodeJwt(token);
    if (jwt.header['alg'] !== 'RS256') throw new TokenRejectedError('algorithm not allowed');
    const kid = jwt.header['kid'];
    if (typeof kid !== 'string') throw new TokenRejectedError('missing kid');
    const key = await this.#key(kid);
    if (!verify('RSA-SHA256', Buffer.from(jwt.signingInput), key, jwt.signature)) throw new TokenRejectedError('bad signature');
    const { claims } = jwt;
    if (claims['iss'] !== this.#options.issuer) throw new TokenRejectedError('wrong issuer');
    const aud = claims['aud'];
    const auds = Array.isArray(aud) ? aud : [aud];
    if (!auds.some((value) => typeof value === 'string' && this.#options.audiences.includes(value))) throw new TokenRejectedError('wrong audience');
    checkTimes(claims, Math.floor((this.#options.now?.() ?? Date.now()) / 1000));
    return claims;
  }

  async #key(kid: string): Promise<KeyObject> {
    const now = Date.now();
    const stale = now - this.#fetchedAt > JWKS_MAX_AGE_MS;
    const unknown = !this.#keys.has(kid) && now - this.#fetchedAt > JWKS_REFRESH_COOLDOWN_MS;
    if (stale || unknown) await this.#refresh(now);
    const key = this.#keys.get(kid);
    if (!key) throw new TokenRejectedError('unknown signing key');
    return key;
  }

  async #refresh(now: number): Promise<void> {
    const response = await (this.#options.fetch ?? fetch)(this.#options.jwksUri, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new TokenRejectedError(`JWKS unavailable (HTTP ${response.status})`);
    const body = (await response.json()) as { keys?: unknown };
    const keys = new Map<string, KeyObject>();
    for (const jwk of Array.isArray(body.keys) ? body.keys : []) {
      const candidate = jwk as JsonWebKey & { kid?: unknown; use?: unknown };
      if (candidate.kty !== 'RSA' || typeof candidate.kid !== 'string' || (candidate.use !== undefined && candidate.use !== 'sig')) continue;
      keys.set(candidate.kid, createPublicKey({ key: candidate, format: 'jwk' }));
    }
    this.#keys = keys;
    this.#fetchedAt = now;
  }
}
