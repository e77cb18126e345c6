import type { JWTPayload } from 'jose';
import type { CustomClaimRule } from '../model.ts';

export type { CustomClaimRule };


export interface InboundJwtConfigInput {
  discoveryUrl: string;
  allowedAudience?: string[];
  allowedClients?: string[];
  allowedScopes?: string[];
  customClaims?: CustomClaimRule[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(v: unknown): v is string {
  return typeof v === 'string' && GUID.test(v);
}

/**
 * The client the token was issued to, read from the claim its issuer uses (security checklist
 * A.4 item 31): Entra v1 access tokens carry `appid`, v2 carry `azp` (Microsoft access-token claims
 * reference); Cognito and RFC 9068 tokens carry `client_id`; otherwise `client_id`, then `azp`.
 */
export function clientIdOf(claims: JWTPayload): string | undefined {
  if (isGuid(claims.tid) && (claims.ver === '1.0' || claims.ver === '2.0')) {
    const v = claims.ver === '1.0' ? claims.appid : claims.azp;
    return typeof v === 'string' ? v : undefined;
  }
  if (typeof claims.client_id === 'string') return claims.client_id;
  return typeof claims.azp === 'string' ? claims.azp : undefined;
}

/** Scopes from `scope` (RFC 8693 §4.2, space-separated) or Entra's `scp` (string or array). */
export function scopesOf(claims: JWTPayload): string[] {
  const out: string[] = [];
  for (const v of [claims.scope, claims.scp]) {
    if (typeof v === 'string') out.push(...v.split(' ').filter(Boolean));
    else if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') out.push(s);
  }
  return out;
}

export function audienceMatches(claims: JWTPayload, allowed: string[]): boolean {
  const aud = claims.aud;
  const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  return list.some((a) => typeof a === 'string' && allowed.includes(a));
}

/** Returns the name of the first failing rule, or undefined when all pass. A missing claim fails. */
export function failingCustomClaim(claims: JWTPayload, rules: CustomClaimRule[]): string | undefined {
  for (const r of rules) {
    const v = (claims as Record<string, unknown>)[r.inboundTokenClaimName];
    const m = r.authorizingClaimMatchValue;
    let ok = false;
    if (r.inboundTokenClaimValueType === 'STRING') {
      ok = m.claimMatchOperator === 'EQUALS' && typeof v === 'string' && typeof m.claimMatchValue.matchValueString === 'string' && v === m.claimMatchValue.matchValueString;
    } else if (Array.isArray(v)) {
      if (m.claimMatchOperator === 'CONTAINS') {
        const want = m.claimMatchValue.matchValueString;
        ok = typeof want === 'string' && v.includes(want);
      } else if (m.claimMatchOperator === 'CONTAINS_ANY') {
        const want = m.claimMatchValue.matchValueStringList ?? [];
        ok = want.some((w) => v.includes(w));
      }
    }
    if (!ok) return r.inboundTokenClaimName;
  }
  return undefined;
}
