import { MandateError } from '@mandate/core';
import { z } from 'zod';
import type { ResolvedEndpoints } from '../model.ts';
import { catalogEntry, type CatalogEntry, type ConfigMember, type Vendor } from './schema.ts';
import vendorsJson from './vendors.json' with { type: 'json' };

export { CONFIG_MEMBERS, PLACEHOLDERS, type CatalogEntry, type ConfigMember, type Vendor } from './schema.ts';

/**
 * Validates the raw catalog and indexes it by vendor. Throws (never returns a partial catalog) when an
 * entry is malformed or a vendor is listed twice. (That every vendor of the AgentCore API has an entry is
 * checked against the official client's enum in test/catalog-vendors.test.ts.)
 */
export function loadCatalog(raw: unknown): ReadonlyMap<Vendor, CatalogEntry> {
  const parsed = z.array(catalogEntry).safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`The OAuth2 provider catalog is invalid: ${detail}`);
  }
  const map = new Map<Vendor, CatalogEntry>();
  for (const e of parsed.data) {
    if (map.has(e.vendor)) throw new Error(`The OAuth2 provider catalog lists ${e.vendor} twice.`);
    if (e.endpoints === undefined && !e.tenantSpecific) throw new Error(`The OAuth2 provider catalog entry ${e.vendor} has no endpoints and is not tenant-specific.`);
    map.set(e.vendor, Object.freeze(e));
  }
  return map;
}

/** The catalog, validated once at module load. */
export const catalog: ReadonlyMap<Vendor, CatalogEntry> = loadCatalog(vendorsJson);

/** Every vendor name the catalog has, in its order: the one list of vendors. */
export const VENDORS = [...catalog.keys()] as [Vendor, ...Vendor[]];

export function catalogEntryFor(vendor: Vendor): CatalogEntry {
  const e = catalog.get(vendor);
  if (!e) throw new MandateError('internal', `No catalog entry for ${vendor}.`);
  return e;
}

/** The oauth2ProviderConfigInput member a vendor must use. */
export function memberForVendor(vendor: Vendor): ConfigMember {
  return catalogEntryFor(vendor).member;
}

export interface TemplateValues {
  authorityBase?: string;
  tenant?: string;
  issuer?: string;
}

/** Fills a template; undefined when a placeholder it uses has no value. */
export function fillTemplate(template: string, values: TemplateValues): string | undefined {
  let out = template;
  for (const [key, value] of Object.entries(values) as [keyof TemplateValues, string | undefined][]) {
    const p = `{${key}}`;
    if (!out.includes(p)) continue;
    if (value === undefined) return undefined;
    out = out.replaceAll(p, value.replace(/\/+$/, ''));
  }
  return /[{}]/.test(out) ? undefined : out;
}

/**
 * Endpoints from the catalog templates, with explicit values (includedOauth2ProviderConfig's
 * authorizationEndpoint/tokenEndpoint) taking precedence. Undefined when authorization or token
 * endpoint cannot be determined.
 */
export function resolveCatalogEndpoints(entry: CatalogEntry, values: TemplateValues, explicit: { authorizationEndpoint?: string; tokenEndpoint?: string } = {}): ResolvedEndpoints | undefined {
  const t = entry.endpoints;
  const fill = (s: string | undefined) => (s === undefined ? undefined : fillTemplate(s, values));
  const authorizationEndpoint = explicit.authorizationEndpoint ?? fill(t?.authorization);
  const tokenEndpoint = explicit.tokenEndpoint ?? fill(t?.token);
  if (!authorizationEndpoint || !tokenEndpoint) return undefined;
  const out: ResolvedEndpoints = { authorizationEndpoint, tokenEndpoint };
  const issuer = values.issuer?.replace(/\/+$/, '') ?? fill(t?.issuer);
  if (issuer) out.issuer = values.issuer ?? issuer;
  const revocation = fill(t?.revocation);
  if (revocation) out.revocationEndpoint = revocation;
  const discovery = fill(t?.discovery);
  if (discovery) out.discoveryUrl = discovery;
  return out;
}
