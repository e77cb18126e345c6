/**
 * Discovery and JWKS with Entra's field set (reference §1.3, §2.4): no PKCE/PAR/introspection fields,
 * issuer always the GUID form (or the `{tenantid}` template for common/organizations), JWKS entries
 * with `x5t` and `issuer`.
 */
import type { EntraContext } from './context.ts';
import { issuerV2 } from './urls.ts';

export function discoveryDocument(ctx: EntraContext, tenantSegment: string, tenantId: string | undefined): Record<string, unknown> {
  const base = `${ctx.urls.base}/${tenantSegment}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: issuerV2(ctx.urls, tenantId ?? '{tenantid}'),
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: tenantId ? 'WW' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

export function jwks(ctx: EntraContext): { keys: Record<string, unknown>[] } {
  // Keys are shared by all tenants, so each carries the multi-tenant issuer template.
  return { keys: [{ ...ctx.tokens.key.jwk, issuer: issuerV2(ctx.urls, '{tenantid}') }] };
}
