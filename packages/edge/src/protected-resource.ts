import { MandateError } from '@mandate/core';

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for the resources Mandate serves to MCP clients (MCP
 * runtimes and gateways), and the challenge a refused client gets. One implementation, so both publish
 * the same document and the same WWW-Authenticate.
 */

/** What a 401/403 tells the client: where the metadata is (RFC 9728 §5.1) and which scopes to ask for. */
export interface ResourceChallenge {
  resourceMetadata: string;
  scope?: string;
}

/** The authorizer members the metadata is built from. */
export interface AdvertisedAuthorizer {
  discoveryUrl: string;
  allowedScopes?: string[] | undefined;
  advertisedScopeMapping?: Record<string, string> | undefined;
}

/** RFC 9728 §3.1: the metadata URL inserts /.well-known/oauth-protected-resource between host and path. */
export function resourceMetadataUrl(resource: string): string {
  const u = new URL(resource);
  return `${u.origin}/.well-known/oauth-protected-resource${u.pathname}`;
}

/** Scopes a client should ask for: advertisedScopeMapping's values, else the authorizer's allowedScopes. */
export function advertisedScopes(a: AdvertisedAuthorizer): string[] {
  const mapped = a.advertisedScopeMapping;
  if (mapped && Object.keys(mapped).length > 0) return [...new Set(Object.values(mapped))];
  return a.allowedScopes ?? [];
}

export function resourceChallenge(resource: string, a: AdvertisedAuthorizer): ResourceChallenge {
  const scopes = advertisedScopes(a);
  return scopes.length > 0 ? { resourceMetadata: resourceMetadataUrl(resource), scope: scopes.join(' ') } : { resourceMetadata: resourceMetadataUrl(resource) };
}

/** The issuer an OIDC discovery URL belongs to (OIDC Discovery §4: issuer + /.well-known/openid-configuration). */
export function issuerOfDiscoveryUrl(discoveryUrl: string): string {
  return discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, '');
}

/** The RFC 9728 §2 document: the authorizer's issuer is the authorization server an MCP client signs in at. */
export function protectedResourceDocument(resource: string, a: AdvertisedAuthorizer, name: string): Record<string, unknown> {
  const scopes = advertisedScopes(a);
  return {
    resource,
    authorization_servers: [issuerOfDiscoveryUrl(a.discoveryUrl)],
    bearer_methods_supported: ['header'],
    ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
    resource_name: name,
  };
}

/** Adds resource_metadata (and scope) to a bearer refusal's WWW-Authenticate (RFC 9728 §5.1, RFC 6750 §3); other errors pass unchanged. */
export function withResourceChallenge(err: unknown, challenge: ResourceChallenge | undefined): unknown {
  if (!challenge || !(err instanceof MandateError) || (err.code !== 'unauthorized' && err.code !== 'insufficient_scope')) return err;
  const base = err.headers?.['www-authenticate'] ?? 'Bearer';
  const params = [base === 'Bearer' ? '' : base.slice('Bearer '.length), `resource_metadata="${challenge.resourceMetadata}"`];
  if (challenge.scope !== undefined && !base.includes('scope=')) params.push(`scope="${challenge.scope}"`);
  return new MandateError(err.code, err.message, { cause: err, headers: { ...err.headers, 'www-authenticate': `Bearer ${params.filter((p) => p !== '').join(', ')}` } });
}

/**
 * The tag that sets the resource identifier an MCP runtime or gateway advertises (RFC 9728 `resource`), which MCP clients
 * send to the identity provider as RFC 8707 `resource`. Default: its MCP URL. Entra accepts only an
 * exact Application ID URI there (AADSTS500011 / AADSTS9010010 otherwise), so a resource behind Entra
 * advertises one of its App ID URIs: the MCP URL itself or a same-origin path prefix of it (MCP clients
 * accept no other, RFC 9728 §3.3).
 */
export const RESOURCE_TAG = 'mandate:mcp-resource';

/** Whether `resource` is the MCP URL or a same-origin path prefix of it (what an MCP client accepts). */
export function isResourceFor(resource: string, mcpUrl: string): boolean {
  if (!URL.canParse(resource)) return false;
  const r = new URL(resource);
  const u = new URL(mcpUrl);
  if (r.origin !== u.origin || r.search || r.hash) return false;
  const withSlash = (p: string) => (p.endsWith('/') ? p : `${p}/`);
  return withSlash(u.pathname).startsWith(withSlash(r.pathname));
}

