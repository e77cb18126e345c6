import * as o from 'oauth4webapi';
import { MandateError } from '@mandate/core';
import { collections, type Oauth2ProviderDoc, type ProviderTokens } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { cachedDoc } from '@mandate/edge';
import { catalog, type CatalogEntry } from '../catalog/index.ts';
import { vendorFetch } from './vendor-fetch.ts';

/**
 * Everything Mandate needs to talk OAuth to one credential provider, built once per request from its
 * stored document: the oauth4webapi AuthorizationServer/Client/ClientAuth triple plus request options
 * (injected fetch; plain http only for loopback in dev mode) and the vendor quirks the flows honour.
 */
export interface ProviderClient {
  doc: Oauth2ProviderDoc;
  as: o.AuthorizationServer;
  client: o.Client;
  auth: o.ClientAuth;
  options: { [o.customFetch]: typeof fetch; [o.allowInsecureRequests]?: boolean; signal?: ((url: string) => AbortSignal) | AbortSignal };
  /** The client secret in clear, only so providerError can scrub it from a provider's error text. */
  secretValues: readonly string[];
  quirks: ProviderQuirks;
  /** `${publicUrl}/identities/oauth2/callback/${callbackId}`: the redirect_uri registered at the provider. */
  redirectUri: string;
}

/** The catalog's quirks (catalog/schema.ts documents each) plus the two entry-level settings stored with them. */
export type ProviderQuirks = CatalogEntry['quirks'] & { scopeSeparator?: string; tokenAuthMethod?: string };

export async function loadProvider(services: IdentityServices, name: string): Promise<Oauth2ProviderDoc> {
  const doc = await cachedDoc<Oauth2ProviderDoc>(services, collections.oauth2Providers, name);
  if (!doc) throw new MandateError('not_found', `Credential provider ${name} does not exist.`);
  return doc;
}

/** The SecretBox context the control plane seals a provider's client secret under. */
export function clientSecretContext(providerName: string): Record<string, string> {
  return { kind: 'oauth2-client-secret', provider: providerName };
}

/** How long a token-endpoint request may take before it fails with `unavailable`. */
export const PROVIDER_TIMEOUT_MS = 10_000;

function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]' || h === '::1';
  } catch {
    return false;
  }
}

// Built clients per service instance, reused while the provider document is unchanged: the hot path
// (a cached M2M token, a vault hit) then costs one store read, not a secret decryption.
const built = new WeakMap<IdentityServices, Map<string, { stamp: string; pc: Promise<ProviderClient> }>>();

export function providerClient(services: IdentityServices, doc: Oauth2ProviderDoc): Promise<ProviderClient> {
  let m = built.get(services);
  if (!m) built.set(services, (m = new Map()));
  const stamp = `${doc.lastUpdatedTime}|${doc.createdTime}|${doc.status}|${services.config.publicUrl}`;
  const hit = m.get(doc.name);
  if (hit && hit.stamp === stamp) return hit.pc;
  const pc = buildProviderClient(services, doc);
  const map = m;
  map.set(doc.name, { stamp, pc });
  pc.catch(() => map.get(doc.name)?.pc === pc && map.delete(doc.name));
  return pc;
}

async function buildProviderClient(services: IdentityServices, doc: Oauth2ProviderDoc): Promise<ProviderClient> {
  if (doc.status !== 'READY') throw new MandateError('validation', `Credential provider ${doc.name} is not ready (${doc.status}).`);
  const ep = doc.endpoints;
  const as: o.AuthorizationServer = {
    // Without a known issuer, an `iss` in an authorization response can never match: fail closed (RFC 9207 §2.4).
    issuer: ep.issuer ?? `urn:mandate:unknown-issuer:${doc.name}`,
    authorization_endpoint: ep.authorizationEndpoint,
    token_endpoint: ep.tokenEndpoint,
    ...(ep.revocationEndpoint ? { revocation_endpoint: ep.revocationEndpoint } : {}),
    ...(ep.authorizationResponseIssParameterSupported ? { authorization_response_iss_parameter_supported: true } : {}),
  };
  if (!doc.clientId) throw new MandateError('validation', `Credential provider ${doc.name} has no client id.`);
  const client: o.Client = { client_id: doc.clientId };
  // Quirks a stored provider predates come from the catalog; the ones it was created with stay as they were.
  const q: ProviderQuirks = { ...(catalog.get(doc.vendor)?.quirks ?? {}), ...(doc.quirks as ProviderQuirks) };
  let secret: string | undefined;
  let auth: o.ClientAuth;
  if (doc.clientSecret) {
    secret = await services.secrets.open(doc.clientSecret, clientSecretContext(doc.name));
    const method = doc.clientAuthenticationMethod ?? (q.tokenAuthMethod === 'client_secret_basic' ? 'CLIENT_SECRET_BASIC' : 'CLIENT_SECRET_POST');
    auth = method === 'CLIENT_SECRET_BASIC' ? o.ClientSecretBasic(secret) : o.ClientSecretPost(secret);
  } else if (q.tokenAuthMethod === 'none') {
    // A public client (RFC 6749 §2.1), as the control plane accepted it: client_id only, PKCE (always sent) binds the code.
    auth = o.None();
  } else {
    throw new MandateError('validation', `Credential provider ${doc.name} has no managed client secret.`);
  }
  // A provider that never answers must not hold a request (or the refresh lock) forever.
  const timeoutMs = services.config.providerTimeoutMs ?? PROVIDER_TIMEOUT_MS;
  const options: ProviderClient['options'] = { [o.customFetch]: vendorFetch(services.fetch, ep.tokenEndpoint, q), signal: () => AbortSignal.timeout(timeoutMs) };
  if (services.config.devMode && isLoopback(ep.tokenEndpoint) && isLoopback(ep.authorizationEndpoint)) options[o.allowInsecureRequests] = true;
  return {
    doc,
    as,
    client,
    auth,
    options,
    quirks: q,
    secretValues: secret === undefined ? [] : [secret],
    redirectUri: `${services.config.publicUrl}/identities/oauth2/callback/${doc.callbackId}`,
  };
}

/** Joins scopes the way the vendor expects (RFC 6749 §3.3: space; some vendors: comma). */
export function joinScopes(pc: ProviderClient, scopes: string[]): string {
  return scopes.join(pc.quirks.scopeSeparator ?? ' ');
}

/** The provider token response, reduced to what Mandate keeps. Third-party access tokens are never parsed (entra-id.md §2.5). */
export type { ProviderTokens };


export function toProviderTokens(services: IdentityServices, r: o.TokenEndpointResponse): ProviderTokens {
  const out: ProviderTokens = { accessToken: r.access_token };
  if (typeof r.refresh_token === 'string' && r.refresh_token) out.refreshToken = r.refresh_token;
  if (typeof r.expires_in === 'number' && r.expires_in > 0) out.expiresAt = services.clock.now() + r.expires_in * 1000;
  if (typeof r.scope === 'string') out.scope = r.scope;
  return out;
}

const DENIED_ERRORS = new Set(['invalid_grant', 'consent_required', 'interaction_required', 'login_required', 'access_denied', 'unauthorized_client', 'invalid_client']);

/**
 * Turns a provider failure into a typed Mandate error that names the provider's OAuth error code (and the
 * first line of its description, e.g. an AADSTS code) but never echoes a token or secret: `secrets` (the
 * client secret, code, verifier, refresh token or assertion just sent) are cut out of the description,
 * because some providers quote the request back in their error text.
 */
export function providerError(providerName: string, err: unknown, secrets: readonly (string | undefined)[] = []): MandateError {
  if (err instanceof MandateError) return err;
  if (err instanceof o.ResponseBodyError || err instanceof o.AuthorizationResponseError) {
    let desc = (err.error_description ?? '').split(/\r?\n/)[0]!;
    for (const s of secrets) if (s && s.length >= 4) desc = desc.split(s).join('[redacted]');
    desc = desc.slice(0, 300);
    const msg = `Credential provider ${providerName} refused the request: ${err.error}${desc ? ` (${desc})` : ''}.`;
    return DENIED_ERRORS.has(err.error) ? new MandateError('access_denied', msg, { cause: err }) : new MandateError('validation', msg, { cause: err });
  }
  if (err instanceof o.OperationProcessingError || err instanceof o.UnsupportedOperationError) {
    return new MandateError('access_denied', `Credential provider ${providerName} sent a response Mandate could not accept: ${err.message}`, { cause: err });
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return new MandateError('unavailable', `Credential provider ${providerName} did not answer in time.`, { cause: err });
  }
  return new MandateError('unavailable', `Credential provider ${providerName} could not be reached.`, { cause: err });
}
