import { validationError } from '@mandate/core';
import { catalogEntryFor, memberForVendor, resolveCatalogEndpoints, type CatalogEntry, type ConfigMember, type Vendor } from '../catalog/index.ts';
import type { ClientAuthMethod, ResolvedEndpoints } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { fetchDiscovery } from './discovery.ts';
import type { CustomMemberInput, IncludedMemberInput, Oauth2ProviderConfigInput } from './schemas/oauth2.ts';
import { requireManagedSecret } from './secret-source.ts';
import { checkProviderUrl } from '@mandate/edge';

const ROOT = 'oauth2ProviderConfigInput';

/** What a create/update stores, derived once from the validated input (secrets still in clear here). */
export interface ResolvedOauth2Config {
  configMember: ConfigMember;
  clientId?: string;
  clientSecret?: string;
  clientAuthenticationMethod?: ClientAuthMethod;
  tenantId?: string;
  endpoints: ResolvedEndpoints;
  configOutput: Record<string, unknown>;
  quirks: Record<string, unknown>;
  onBehalfOfTokenExchangeConfig?: Record<string, unknown>;
}

/**
 * Checks the union member against the vendor, resolves the provider's endpoints (catalog templates,
 * Entra authority, includedOauth2ProviderConfig overrides, discovery or explicit metadata) and builds
 * the output the API echoes. Throws a ValidationException naming the offending field.
 */
export async function resolveOauth2Config(services: IdentityServices, vendor: Vendor, input: Oauth2ProviderConfigInput, options: { hasStoredSecret?: boolean } = {}): Promise<ResolvedOauth2Config> {
  const [given, value] = Object.entries(input).find(([, v]) => v !== undefined) as [ConfigMember, Record<string, unknown>];
  const expected = memberForVendor(vendor);
  if (given !== expected) {
    throw validationError(`The credentialProviderVendor ${vendor} must be configured with ${ROOT}.${expected}, not ${ROOT}.${given}.`, [
      { name: `${ROOT}.${given}`, message: `Member does not match credentialProviderVendor ${vendor}; use ${expected}` },
    ]);
  }
  const field = `${ROOT}.${given}`;
  const base = value as { clientId?: string; clientSecret?: string; clientSecretConfig?: unknown; clientSecretSource?: string };
  requireManagedSecret(base.clientSecretSource, base.clientSecretConfig, `${field}.clientSecret`, `${field}.clientSecretConfig`, `${field}.clientSecretSource`);
  const entry = catalogEntryFor(vendor);
  const hasStoredSecret = options.hasStoredSecret ?? false;
  if (given === 'customOauth2ProviderConfig') return resolveCustom(services, entry, value as CustomMemberInput, field, hasStoredSecret);
  // On Update an omitted secret keeps the stored one (it cannot be read back to be resent).
  if (base.clientSecret === undefined && !hasStoredSecret) {
    throw validationError(`1 validation error detected: Value at '${field}.clientSecret' failed to satisfy constraint: Member must not be null`, [{ name: `${field}.clientSecret`, message: 'Member must not be null' }]);
  }
  let endpoints: ResolvedEndpoints | undefined;
  let tenantId: string | undefined;
  if (given === 'microsoftOauth2ProviderConfig') {
    // For the multi-tenant authorities (common/organizations/consumers) Entra's real `iss` carries the
    // user's tenant id, so the data plane must treat the resolved issuer as a template there.
    tenantId = (value as { tenantId?: string }).tenantId ?? 'common';
    endpoints = resolveCatalogEndpoints(entry, { authorityBase: services.config.entraAuthorityBase, tenant: tenantId });
  } else if (given === 'includedOauth2ProviderConfig') {
    endpoints = resolveIncluded(services, entry, value as IncludedMemberInput, field);
  } else {
    endpoints = resolveCatalogEndpoints(entry, {});
  }
  if (!endpoints) throw validationError(`The catalog entry for ${vendor} could not be resolved.`, [{ name: field, message: 'Member could not be resolved' }]);
  const out: ResolvedOauth2Config = {
    configMember: given,
    clientId: base.clientId!,
    endpoints,
    configOutput: { oauthDiscovery: discoveryOutput(endpoints), clientId: base.clientId },
    quirks: quirksFor(entry),
  };
  if (base.clientSecret !== undefined) out.clientSecret = base.clientSecret;
  if (tenantId !== undefined) out.tenantId = tenantId;
  return out;
}

/** Tenant-specific vendors (Okta, Auth0, Cognito...) need issuer and/or explicit endpoints. */
function resolveIncluded(services: IdentityServices, entry: CatalogEntry, v: IncludedMemberInput, field: string): ResolvedEndpoints {
  const dev = services.config.devMode;
  for (const k of ['issuer', 'authorizationEndpoint', 'tokenEndpoint'] as const) {
    if (v[k] !== undefined) checkProviderUrl(v[k], `${field}.${k}`, dev);
  }
  const explicit: { authorizationEndpoint?: string; tokenEndpoint?: string } = {};
  if (v.authorizationEndpoint) explicit.authorizationEndpoint = v.authorizationEndpoint;
  if (v.tokenEndpoint) explicit.tokenEndpoint = v.tokenEndpoint;
  const endpoints = resolveCatalogEndpoints(entry, v.issuer === undefined ? {} : { issuer: v.issuer }, explicit);
  if (!endpoints) {
    const needs = entry.endpoints ? 'issuer (or authorizationEndpoint and tokenEndpoint)' : 'authorizationEndpoint and tokenEndpoint';
    throw validationError(`The credentialProviderVendor ${entry.vendor} is tenant-specific: ${field} must include ${needs}.`, [
      { name: `${field}.${entry.endpoints ? 'issuer' : 'authorizationEndpoint'}`, message: `Member must not be null for ${entry.vendor}` },
    ]);
  }
  return endpoints;
}

async function resolveCustom(services: IdentityServices, entry: CatalogEntry, v: CustomMemberInput, field: string, hasStoredSecret: boolean): Promise<ResolvedOauth2Config> {
  for (const k of ['privateKeyJwtConfig', 'privateEndpoint', 'privateEndpointOverrides'] as const) {
    if (v[k] !== undefined) throw validationError(`${field}.${k} is not supported by Mandate (it needs AWS KMS or VPC Lattice).`, [{ name: `${field}.${k}`, message: 'Member is not supported' }]);
  }
  const method = v.clientAuthenticationMethod;
  if (method === 'PRIVATE_KEY_JWT' || method === 'AWS_IAM_ID_TOKEN_JWT') {
    throw validationError(`${field}.clientAuthenticationMethod ${method} is not supported by Mandate; use CLIENT_SECRET_BASIC or CLIENT_SECRET_POST.`, [
      { name: `${field}.clientAuthenticationMethod`, message: 'Member must satisfy enum value set: [CLIENT_SECRET_BASIC, CLIENT_SECRET_POST]' },
    ]);
  }
  if (v.clientSecret !== undefined && v.clientId === undefined) {
    throw validationError(`1 validation error detected: Value at '${field}.clientId' failed to satisfy constraint: Member must not be null`, [{ name: `${field}.clientId`, message: 'Member must not be null when clientSecret is set' }]);
  }
  // A public client (no secret) is still a client: the data plane must name it at the provider.
  if (v.clientSecret === undefined && !hasStoredSecret && v.clientId === undefined) {
    throw validationError(`1 validation error detected: Value at '${field}.clientId' failed to satisfy constraint: Member must not be null`, [{ name: `${field}.clientId`, message: 'Member must not be null for a public client (no clientSecret)' }]);
  }
  const disco = v.oauthDiscovery;
  let endpoints: ResolvedEndpoints;
  if (disco.discoveryUrl !== undefined) {
    endpoints = await fetchDiscovery(services, disco.discoveryUrl, `${field}.oauthDiscovery.discoveryUrl`);
  } else {
    const m = disco.authorizationServerMetadata!;
    const mf = `${field}.oauthDiscovery.authorizationServerMetadata`;
    checkProviderUrl(m.issuer, `${mf}.issuer`, services.config.devMode);
    checkProviderUrl(m.authorizationEndpoint, `${mf}.authorizationEndpoint`, services.config.devMode);
    checkProviderUrl(m.tokenEndpoint, `${mf}.tokenEndpoint`, services.config.devMode);
    endpoints = { issuer: m.issuer, authorizationEndpoint: m.authorizationEndpoint, tokenEndpoint: m.tokenEndpoint };
    if (m.responseTypes) endpoints.responseTypes = m.responseTypes;
    if (m.tokenEndpointAuthMethods) endpoints.tokenEndpointAuthMethods = m.tokenEndpointAuthMethods;
  }
  const quirks = quirksFor(entry);
  if (method) quirks.tokenAuthMethod = method === 'CLIENT_SECRET_POST' ? 'client_secret_post' : 'client_secret_basic';
  else if (endpoints.tokenEndpointAuthMethods?.length && !endpoints.tokenEndpointAuthMethods.includes('client_secret_basic') && endpoints.tokenEndpointAuthMethods.includes('client_secret_post')) {
    quirks.tokenAuthMethod = 'client_secret_post';
  }
  if (v.clientSecret === undefined && !hasStoredSecret) quirks.tokenAuthMethod = 'none'; // a public client (RFC 6749 §2.1): PKCE only
  const configOutput: Record<string, unknown> = { oauthDiscovery: disco.discoveryUrl !== undefined ? { discoveryUrl: disco.discoveryUrl } : { authorizationServerMetadata: disco.authorizationServerMetadata } };
  if (v.clientId !== undefined) configOutput.clientId = v.clientId;
  if (method) configOutput.clientAuthenticationMethod = method;
  if (v.onBehalfOfTokenExchangeConfig) configOutput.onBehalfOfTokenExchangeConfig = v.onBehalfOfTokenExchangeConfig;
  const out: ResolvedOauth2Config = { configMember: 'customOauth2ProviderConfig', endpoints, configOutput, quirks };
  if (v.clientId !== undefined) out.clientId = v.clientId;
  if (v.clientSecret !== undefined) out.clientSecret = v.clientSecret;
  if (method) out.clientAuthenticationMethod = method;
  if (v.onBehalfOfTokenExchangeConfig) out.onBehalfOfTokenExchangeConfig = v.onBehalfOfTokenExchangeConfig;
  return out;
}

/** Built-in vendors report their discovery URL when they have one, else their endpoints as metadata. */
function discoveryOutput(e: ResolvedEndpoints): Record<string, unknown> {
  if (e.discoveryUrl) return { discoveryUrl: e.discoveryUrl };
  return {
    authorizationServerMetadata: {
      issuer: e.issuer ?? new URL(e.authorizationEndpoint).origin,
      authorizationEndpoint: e.authorizationEndpoint,
      tokenEndpoint: e.tokenEndpoint,
      responseTypes: ['code'],
    },
  };
}

/** Everything the data plane needs to talk to this vendor, copied so later catalog edits do not alter stored providers. */
function quirksFor(entry: CatalogEntry): Record<string, unknown> {
  return {
    scopeSeparator: entry.scopeSeparator,
    tokenAuthMethod: entry.tokenAuthMethod,
    defaultScopes: [...entry.defaultScopes],
    ...structuredClone(entry.quirks),
  };
}
