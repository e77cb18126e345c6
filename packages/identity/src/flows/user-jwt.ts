import { createRemoteJWKSet, customFetch, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { MandateError } from '@mandate/core';
import type { InboundJwtConfig } from '../model.ts';
import type { IdentityServices } from '../services.ts';

/**
 * Verifies a user's JWT against the issuers a workload trusts (`WorkloadIdentityDoc.inboundJwt`), for
 * GetWorkloadAccessTokenForJWT and CompleteResourceTokenAuth({userToken}). Only (iss, sub) of a verified
 * token matter afterwards (landscape pain #1: binding on the token string breaks on every re-login).
 *
 * This is a small verifier of our own: discovery with the issuer check (OIDC Discovery §4.3), keys only
 * from the advertised jwks_uri (RFC 8725 §3.10), an algorithm allow-list (RFC 8725 §3.1), required exp,
 * and fail-closed audience/client checks (A.4 item 31).
 */

export interface VerifiedUser {
  issuer: string;
  subject: string;
  claims: JWTPayload;
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const MAX_JWT_LENGTH = 16_384;
const DISCOVERY_TTL_MS = 10 * 60_000;

interface IssuerEntry {
  issuer: string;
  jwks: ReturnType<typeof createRemoteJWKSet>;
  fetchedAt: number;
}

const caches = new WeakMap<IdentityServices, Map<string, Promise<IssuerEntry>>>();

async function discover(services: IdentityServices, discoveryUrl: string): Promise<IssuerEntry> {
  let res: Response;
  try {
    res = await services.fetch(discoveryUrl, { redirect: 'manual', signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
  } catch (err) {
    throw new MandateError('access_denied', 'The identity provider that issued the user token could not be reached.', { cause: err });
  }
  if (res.status !== 200) throw new MandateError('access_denied', 'The identity provider that issued the user token did not return its configuration.');
  const meta = (await res.json().catch(() => ({}))) as { issuer?: unknown; jwks_uri?: unknown };
  if (typeof meta.issuer !== 'string' || typeof meta.jwks_uri !== 'string') {
    throw new MandateError('access_denied', 'The identity provider configuration has no issuer or jwks_uri.');
  }
  const expectedPrefix = discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, '');
  if (meta.issuer.replace(/\/$/, '') !== expectedPrefix.replace(/\/$/, '')) {
    throw new MandateError('access_denied', 'The identity provider configuration names an issuer that does not match its discovery URL.');
  }
  const jwks = createRemoteJWKSet(new URL(meta.jwks_uri), { [customFetch]: services.fetch, timeoutDuration: 5000 });
  return { issuer: meta.issuer, jwks, fetchedAt: services.clock.now() };
}

function entry(services: IdentityServices, discoveryUrl: string): Promise<IssuerEntry> {
  let m = caches.get(services);
  if (!m) caches.set(services, (m = new Map()));
  const cached = m.get(discoveryUrl);
  if (cached) return cached;
  const p = discover(services, discoveryUrl);
  m.set(discoveryUrl, p);
  const map = m;
  p.then(
    (e) => setTimeout(() => map.get(discoveryUrl) === p && map.delete(discoveryUrl), DISCOVERY_TTL_MS).unref(),
    () => map.get(discoveryUrl) === p && map.delete(discoveryUrl),
  );
  return p;
}

/** The client a token was issued to, by the claim its issuer uses (RFC 9068 client_id; Entra v2 azp, v1 appid). */
function clientOf(claims: JWTPayload): string | undefined {
  for (const k of ['client_id', 'azp', 'appid']) if (typeof claims[k] === 'string') return claims[k] as string;
  return undefined;
}

export async function verifyUserToken(services: IdentityServices, token: string, configs: InboundJwtConfig[] | undefined): Promise<VerifiedUser> {
  const denied = new MandateError('access_denied', 'The user token is not valid for this workload.');
  if (!configs || configs.length === 0) {
    throw new MandateError('access_denied', 'This workload identity trusts no user-token issuer (inboundJwt is not configured).');
  }
  if (typeof token !== 'string' || token.length > MAX_JWT_LENGTH) throw denied;
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw denied;
  }
  for (const cfg of configs) {
    const e = await entry(services, cfg.discoveryUrl).catch(() => undefined);
    if (!e || e.issuer !== iss) continue;
    if (!cfg.allowedAudience?.length && !cfg.allowedClients?.length) continue; // fail closed: nothing to check
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, e.jwks, {
        issuer: e.issuer,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 60,
        currentDate: new Date(services.clock.now()),
        ...(cfg.allowedAudience?.length ? { audience: cfg.allowedAudience } : {}),
      }));
    } catch {
      throw denied;
    }
    if (cfg.allowedClients?.length) {
      const client = clientOf(claims);
      if (!client || !cfg.allowedClients.includes(client)) throw denied;
    }
    return { issuer: e.issuer, subject: claims.sub!, claims };
  }
  throw denied;
}
