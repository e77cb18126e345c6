import { decodeProtectedHeader, importJWK, jwtVerify, errors as joseErrors, type JWK, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { hash } from 'node:crypto';
import { MandateError, type Clock, type Logger } from '@mandate/core';
import { KeyCache, type IssuerKeys } from './key-cache.ts';
import { audienceMatches, clientIdOf, failingCustomClaim, isGuid, scopesOf, type InboundJwtConfigInput } from './claims.ts';

/** Asymmetric algorithms only: `none` and HS* are never accepted (RFC 8725 §3.1-3.2). */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384'] as const;
const ALGS = new Set<string>(ALLOWED_ALGORITHMS);
/** Token types that may be user access/ID tokens. Mandate's own WATs and DPoP proofs carry other types (RFC 8725 §3.11). */
const ACCEPTED_TYP = new Set(['jwt', 'at+jwt', 'application/at+jwt', 'application/jwt']);
/** Node's default max header size is 16 KiB; nothing larger is parsed (checklist A.4 item 37). */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const RESULT_TTL_MS = 30_000;
const RESULT_CACHE_MAX = 10_000;

export interface InboundJwtVerifierOptions {
  fetch?: typeof globalThis.fetch;
  clock: Clock;
  logger: Logger;
  /** Allows plain-http discovery/JWKS on loopback hosts. */
  devMode: boolean;
  clockToleranceSec?: number;
  cacheMaxAgeMs?: number;
  cooldownMs?: number;
  maxStaleMs?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface VerifiedInboundJwt {
  issuer: string;
  subject: string;
  clientId?: string;
  claims: JWTPayload;
}

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

/** Internal: the reason a token was refused, logged at debug level and never shown to the caller. */
class Reject extends Error {}
/** The token is valid in every other respect: the caller may get a token with more scope (RFC 6750 §3.1). */
class MissingScope extends Reject {}

/**
 * Verifies inbound user JWTs the way AgentCore's customJWTAuthorizer does (discovery, JWKS, `iss`,
 * `aud` ∈ allowedAudience, client ∈ allowedClients, a scope ∈ allowedScopes, customClaims; every
 * configured check enforced, a missing claim is a failure). Every failure is the same
 * `MandateError('unauthorized')` with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3),
 * except a token valid in all but scope, which is `insufficient_scope` (403, RFC 6750 §3.1) naming the
 * accepted scopes; the reason goes to the debug log only.
 */
export class InboundJwtVerifier {
  readonly #keys: KeyCache;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #tolerance: number;
  /** Imported keys, per JWK object and algorithm (JWK objects are replaced on refetch, so this never goes stale). */
  readonly #results = new Map<string, { result: VerifiedInboundJwt; until: number }>();
  readonly #imported = new WeakMap<JWK, Map<string, Promise<ImportedKey>>>();

  constructor(options: InboundJwtVerifierOptions) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#tolerance = options.clockToleranceSec ?? 30;
    this.#keys = new KeyCache({
      fetch: options.fetch ?? globalThis.fetch,
      clock: options.clock,
      logger: options.logger,
      devMode: options.devMode,
      cacheMaxAgeMs: options.cacheMaxAgeMs ?? 10 * 60_000,
      cooldownMs: options.cooldownMs ?? 30_000,
      maxStaleMs: options.maxStaleMs ?? 24 * 3600_000,
      timeoutMs: options.timeoutMs ?? 5_000,
      maxBytes: options.maxResponseBytes ?? 512 * 1024,
    });
  }

  async verify(token: string, config: InboundJwtConfigInput): Promise<VerifiedInboundJwt> {
    const now = this.#clock.now();
    const cacheKey = typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH
      ? `${hash('sha256', token, 'base64url')}\n${JSON.stringify(config)}` : undefined;
    const hit = cacheKey === undefined ? undefined : this.#results.get(cacheKey);
    if (hit && now < hit.until) return hit.result;
    try {
      const result = await this.#verify(token, config);
      if (cacheKey !== undefined) this.#remember(cacheKey, result, now);
      return result;
    } catch (err) {
      this.#logger.debug('inbound JWT rejected', { discoveryUrl: config.discoveryUrl, reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      if (err instanceof MissingScope) {
        const scope = (config.allowedScopes ?? []).join(' ');
        throw new MandateError('insufficient_scope', 'The bearer token does not carry a scope this resource accepts.', {
          headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
        });
      }
      throw new MandateError('unauthorized', 'The bearer token is not valid for this resource.', {
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
  }

  /**
   * A verified token is remembered for a short while (RESULT_TTL_MS, never past `exp` minus the
   * tolerance): the runtime checks the same bearer on every invocation of a conversation, and an RSA
   * verification costs far more than a hash. Only successes are cached; the key includes the whole
   * authorizer configuration, so a changed rule applies at once.
   */
  #remember(key: string, result: VerifiedInboundJwt, now: number): void {
    const exp = typeof result.claims.exp === 'number' ? result.claims.exp * 1000 + this.#tolerance * 1000 : now;
    const until = Math.min(now + RESULT_TTL_MS, exp);
    if (until <= now) return;
    if (this.#results.size >= RESULT_CACHE_MAX) this.#results.delete(this.#results.keys().next().value!);
    this.#results.set(key, { result, until });
  }

  async #verify(token: string, config: InboundJwtConfigInput): Promise<VerifiedInboundJwt> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new Reject('token missing or too long');
    const { allowedAudience, allowedClients, allowedScopes, customClaims } = config;
    if (!allowedAudience?.length && !allowedClients?.length && !allowedScopes?.length && !customClaims?.length) {
      throw new Reject('authorizer has no audience, client, scope or claim rule'); // fail closed
    }
    if (token.split('.').length !== 3) throw new Reject('not a JWS compact serialization');
    const header = decodeProtectedHeader(token) as JWTHeaderParameters;
    if (hasDuplicateMember(token.slice(0, token.indexOf('.')), header)) throw new Reject('duplicate header member'); // RFC 7515 §4
    if (typeof header.alg !== 'string' || !ALGS.has(header.alg)) throw new Reject(`algorithm ${String(header.alg)} not allowed`);
    if (header.crit !== undefined) throw new Reject('crit header present'); // RFC 7515 §4.1.11: we understand no extensions
    if (header.typ !== undefined && (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(header.typ.toLowerCase()))) throw new Reject(`typ ${String(header.typ)} not accepted`);
    if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.length > 256)) throw new Reject('bad kid');

    let issuerKeys = await this.#keys.get(config.discoveryUrl);
    let jwk = pickKey(issuerKeys.keys, header);
    if (!jwk) {
      const refreshed = await this.#keys.refreshForUnknownKid(config.discoveryUrl);
      if (refreshed) {
        issuerKeys = refreshed;
        jwk = pickKey(refreshed.keys, header);
      }
      if (!jwk) throw new Reject('no key matches the token kid/alg');
    }
    const key = await this.#import(jwk, header.alg);
    const { payload } = await jwtVerify(token, key, {
      algorithms: [header.alg],
      clockTolerance: this.#tolerance,
      currentDate: new Date(this.#clock.now()),
      requiredClaims: ['exp'],
    });

    const issuer = expectedIssuer(issuerKeys, payload);
    if (payload.iss !== issuer) throw new Reject('iss mismatch');
    const jwkIssuer = (jwk as { issuer?: unknown }).issuer;
    if (typeof jwkIssuer === 'string') {
      // Entra publishes the issuer each key may sign for; a key of one tenant must not vouch for another.
      const keyIssuer = isGuid(payload.tid) ? jwkIssuer.replace('{tenantid}', payload.tid) : jwkIssuer;
      if (keyIssuer !== payload.iss) throw new Reject('signing key issuer mismatch');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Reject('sub missing');
    if (allowedAudience?.length && !audienceMatches(payload, allowedAudience)) throw new Reject('aud not allowed');
    const clientId = clientIdOf(payload);
    if (allowedClients?.length && (clientId === undefined || !allowedClients.includes(clientId))) throw new Reject('client not allowed');
    if (customClaims?.length) {
      const failed = failingCustomClaim(payload, customClaims);
      if (failed !== undefined) throw new Reject(`custom claim ${failed} does not match`);
    }
    // Last: only a token that passes every other rule may learn it merely lacks scope.
    if (allowedScopes?.length && !scopesOf(payload).some((s) => allowedScopes.includes(s))) throw new MissingScope('no allowed scope');
    return clientId === undefined ? { issuer, subject: payload.sub, claims: payload } : { issuer, subject: payload.sub, clientId, claims: payload };
  }

  #import(jwk: JWK, alg: string): Promise<ImportedKey> {
    let m = this.#imported.get(jwk);
    if (!m) {
      m = new Map();
      this.#imported.set(jwk, m);
    }
    let p = m.get(alg);
    if (!p) {
      // Only public members are imported; `x5c`/`x5u` and friends play no part in key selection.
      const { kty, n, e, crv, x, y } = jwk;
      p = importJWK({ kty, n, e, crv, x, y } as JWK, alg);
      p.catch(() => m.delete(alg));
      m.set(alg, p);
    }
    return p;
  }
}

/**
 * JSON.parse keeps the last of duplicated members, so `{"alg":"RS256",...,"alg":"none"}` could mean
 * different things to different parsers (RFC 7515 §4: reject). Headers are tiny; counting each
 * member name in the decoded text is enough (an escaped spelling of a name is also counted as text).
 */
function hasDuplicateMember(b64Header: string, header: object): boolean {
  const text = Buffer.from(b64Header, 'base64url').toString('utf8');
  for (const name of Object.keys(header)) {
    const needle = JSON.stringify(name);
    const first = text.indexOf(needle);
    if (first !== -1 && text.indexOf(needle, first + needle.length) !== -1) return true;
  }
  return false;
}

function expectedIssuer(keys: IssuerKeys, payload: JWTPayload): string {
  if (!keys.templated) return keys.issuer;
  if (!isGuid(payload.tid)) throw new Reject('tid missing or not a GUID');
  return keys.issuer.replace('{tenantid}', payload.tid);
}

function ktyFor(alg: string): string {
  return alg.startsWith('ES') ? 'EC' : 'RSA';
}

/** Key selection by `kid` and algorithm family only (never from `jku`/`x5u`/`jwk` in the header). */
function pickKey(keys: JWK[], header: JWTHeaderParameters): JWK | undefined {
  const kty = ktyFor(header.alg!);
  const crv = header.alg === 'ES256' ? 'P-256' : header.alg === 'ES384' ? 'P-384' : undefined;
  const candidates = keys.filter((k) =>
    (header.kid === undefined || k.kid === header.kid) &&
    k.kty === kty &&
    (k.use === undefined || k.use === 'sig') &&
    (k.alg === undefined || k.alg === header.alg) &&
    (crv === undefined || k.crv === crv) &&
    (!Array.isArray(k.key_ops) || k.key_ops.includes('verify')));
  // Without a kid, only an unambiguous key set is usable.
  return candidates.length === 1 ? candidates[0] : undefined;
}

export const isJoseError = (e: unknown): boolean => e instanceof joseErrors.JOSEError;
