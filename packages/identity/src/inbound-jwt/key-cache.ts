import type { JWK } from 'jose';
import type { Clock, Logger } from '@mandate/core';
import { checkResolvedHost } from '@mandate/edge';
import { checkOutboundUrl, fetchJsonObject, OutboundUrlError } from './fetch-json.ts';

const WELL_KNOWN = '/.well-known/openid-configuration';
/** Entra's tenant-independent metadata (`/common`, `/organizations`, `/consumers`) publishes a templated issuer. */
const TENANT_TEMPLATE = '{tenantid}';
const TENANT_ALIASES = new Set(['common', 'organizations', 'consumers']);

export interface KeyCacheOptions {
  fetch: typeof globalThis.fetch;
  clock: Clock;
  logger: Logger;
  devMode: boolean;
  /** How long discovery + JWKS are used before a background-free refetch on next use (jose default: 10 min). */
  cacheMaxAgeMs: number;
  /** Minimum time between JWKS refetches triggered by an unknown `kid` (jose default: 30 s). */
  cooldownMs: number;
  /** How long a stale key set may still be served while the IdP is failing. */
  maxStaleMs: number;
  timeoutMs: number;
  maxBytes: number;
}

/** One issuer's metadata and key set. */
export interface IssuerKeys {
  /** `issuer` from the discovery document (may contain `{tenantid}`). */
  issuer: string;
  templated: boolean;
  keys: JWK[];
  fetchedAt: number;
}

interface Entry {
  value?: IssuerKeys;
  jwksUri?: URL;
  inflight?: Promise<IssuerKeys> | undefined;
  lastRefetchAt: number;
}

/**
 * Discovery documents and JWKS per discovery URL, fetched by Mandate itself (never from a URL in
 * the token: `jku`/`x5u`/`jwk` are ignored, RFC 8725 §3.10). Refetches are single-flight; an unknown
 * `kid` refetches at most once per cooldown; during an IdP outage the last good set is served for
 * up to `maxStaleMs` (security checklist A.4 item 36).
 */
export class KeyCache {
  readonly #o: KeyCacheOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: KeyCacheOptions) {
    this.#o = options;
  }

  /** The cached keys for this discovery URL, fetching them when absent or older than the max age. */
  async get(discoveryUrl: string): Promise<IssuerKeys> {
    const e = this.#entry(discoveryUrl);
    const now = this.#o.clock.now();
    if (e.value && now - e.value.fetchedAt < this.#o.cacheMaxAgeMs) return e.value;
    try {
      return await this.#refresh(discoveryUrl, e);
    } catch (err) {
      if (e.value && now - e.value.fetchedAt < this.#o.maxStaleMs) {
        this.#o.logger.warn('inbound JWT: IdP metadata refresh failed; serving cached keys', { discoveryUrl, error: describe(err) });
        return e.value;
      }
      throw err;
    }
  }

  /** Called when no key matched the token's `kid`: refetch unless one happened within the cooldown. */
  async refreshForUnknownKid(discoveryUrl: string): Promise<IssuerKeys | undefined> {
    const e = this.#entry(discoveryUrl);
    if (this.#o.clock.now() - e.lastRefetchAt < this.#o.cooldownMs) return e.inflight ? e.inflight.catch(() => undefined) : undefined;
    try {
      return await this.#refresh(discoveryUrl, e);
    } catch (err) {
      this.#o.logger.warn('inbound JWT: key refetch for unknown kid failed', { discoveryUrl, error: describe(err) });
      return undefined;
    }
  }

  #entry(discoveryUrl: string): Entry {
    let e = this.#entries.get(discoveryUrl);
    if (!e) {
      e = { lastRefetchAt: -Infinity };
      this.#entries.set(discoveryUrl, e);
    }
    return e;
  }

  #refresh(discoveryUrl: string, e: Entry): Promise<IssuerKeys> {
    if (e.inflight) return e.inflight;
    e.lastRefetchAt = this.#o.clock.now();
    const p = this.#load(discoveryUrl, e).then((v) => {
      e.value = v;
      return v;
    });
    e.inflight = p;
    const clear = () => {
      if (e.inflight === p) e.inflight = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  async #load(discoveryUrl: string, e: Entry): Promise<IssuerKeys> {
    const fo = { fetch: this.#o.fetch, timeoutMs: this.#o.timeoutMs, maxBytes: this.#o.maxBytes };
    const durl = checkDiscoveryUrl(discoveryUrl, this.#o.devMode);
    await checkResolvedHost(durl, 'discoveryUrl', this.#o.devMode); // a public name may resolve to a private address
    const meta = await fetchJsonObject(durl, fo);
    const issuer = meta.issuer;
    if (typeof issuer !== 'string' || issuer === '') throw new OutboundUrlError('discovery document has no issuer');
    const templated = issuerMatchesDiscovery(issuer, discoveryUrl);
    if (templated === undefined) throw new OutboundUrlError('discovery issuer does not match the discovery URL');
    if (typeof meta.jwks_uri !== 'string') throw new OutboundUrlError('discovery document has no jwks_uri');
    const jwksUri = checkOutboundUrl(meta.jwks_uri, this.#o.devMode);
    await checkResolvedHost(jwksUri, 'jwks_uri', this.#o.devMode);
    e.jwksUri = jwksUri;
    const jwks = await fetchJsonObject(jwksUri, fo);
    if (!Array.isArray(jwks.keys)) throw new OutboundUrlError('JWKS has no keys array');
    const keys = (jwks.keys as unknown[]).filter((k): k is JWK => k !== null && typeof k === 'object' && typeof (k as JWK).kty === 'string');
    this.#o.logger.debug('inbound JWT: loaded issuer keys', { discoveryUrl, issuer, keyCount: keys.length });
    return { issuer, templated, keys, fetchedAt: this.#o.clock.now() };
  }
}

/** The discovery URL rule: AgentCore's pattern `.+/\.well-known/openid-configuration`, plus the outbound URL guard. */
export function checkDiscoveryUrl(discoveryUrl: string, devMode: boolean): URL {
  const u = checkOutboundUrl(discoveryUrl, devMode);
  if (!u.pathname.endsWith(WELL_KNOWN) || u.search) throw new OutboundUrlError('discovery URL must end in /.well-known/openid-configuration');
  return u;
}

/**
 * OIDC Discovery 1.0 §4.3: `issuer` must equal the URL the document was fetched from minus the
 * well-known suffix. The one exception is Entra's tenant-independent metadata, whose issuer is
 * `https://login.microsoftonline.com/{tenantid}/v2.0` when fetched from `/common/v2.0/...`.
 * Returns false for an exact match, true for the template case, undefined for a mismatch.
 */
export function issuerMatchesDiscovery(issuer: string, discoveryUrl: string): boolean | undefined {
  const prefix = discoveryUrl.slice(0, discoveryUrl.length - WELL_KNOWN.length);
  if (issuer === prefix) return false;
  const i = issuer.indexOf(TENANT_TEMPLATE);
  if (i === -1 || issuer.indexOf(TENANT_TEMPLATE, i + 1) !== -1) return undefined;
  const head = issuer.slice(0, i);
  const tail = issuer.slice(i + TENANT_TEMPLATE.length);
  if (!prefix.startsWith(head) || !prefix.endsWith(tail)) return undefined;
  const alias = prefix.slice(head.length, prefix.length - tail.length);
  return TENANT_ALIASES.has(alias) ? true : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
