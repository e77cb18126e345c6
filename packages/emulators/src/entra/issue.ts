/**
 * Builds a delegated (user) token response: access token for ONE resource, a new refresh token when
 * `offline_access` was granted, an id_token when `openid` was asked for, and MSAL's `client_info`.
 */
import { randomToken } from '@mandate/core';
import type { EntraContext } from './context.ts';
import { guidFromHash, type Tenant, type User } from './directory.ts';
import { EntraError } from './errors.ts';
import { REFRESH_TTL } from './grant-store.ts';
import type { AuthenticatedClient } from './client-auth.ts';
import { grantedScopes, requiredConsent, type ResourceRequest } from './scopes.ts';
import { clientInfo, mintAccessToken, mintIdToken } from './tokens.ts';

export interface TokenResponse {
  token_type: 'Bearer';
  scope?: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** Throws AADSTS65001 (`invalid_grant` + `suberror: consent_required`) when the resource's scopes are not consented. */
export function requireConsent(ctx: EntraContext, tenant: Tenant, user: User, client: AuthenticatedClient, resource: ResourceRequest): Set<string> {
  const consented = ctx.directory.consentedScopes(tenant, user.id, client.app.appId);
  const missing = requiredConsent(resource, consented).filter((k) => !consented.has(k));
  const nothing = resource.app !== undefined && grantedScopes(resource, consented).length === 0;
  if (missing.length > 0 || nothing) {
    throw new EntraError(65001, [client.app.appId, client.app.displayName], { suberror: 'consent_required' });
  }
  return consented;
}

export async function issueDelegated(ctx: EntraContext, o: {
  tenant: Tenant; client: AuthenticatedClient; user: User; resource: ResourceRequest; oidc: Set<string>;
  authTime: number; sid?: string | undefined; nonce?: string | undefined; refresh: boolean; wantClientInfo: boolean;
}): Promise<TokenResponse> {
  const consented = requireConsent(ctx, o.tenant, o.user, o.client, o.resource);
  const scopes = grantedScopes(o.resource, consented);
  const at = await mintAccessToken(ctx.tokens, { tenantId: o.tenant.id, client: o.client.app, clientAuth: o.client.auth, resource: o.resource, user: o.user, scopes });
  const scope = o.resource.app
    ? scopes.map((s) => `${o.resource.identifier}/${s}`).join(' ')
    : [...o.oidc].filter((s) => s !== 'offline_access').concat(scopes).join(' ');
  const body: TokenResponse = { token_type: 'Bearer', scope, expires_in: at.expiresIn, ext_expires_in: at.expiresIn, access_token: at.token };
  if (o.refresh) {
    const rt = randomToken(48);
    ctx.store.refreshTokens.set(rt, { tenantId: o.tenant.id, clientId: o.client.app.appId, userId: o.user.id, authTime: o.authTime, sid: o.sid }, REFRESH_TTL);
    body.refresh_token = rt;
  }
  if (o.oidc.has('openid')) {
    body.id_token = await mintIdToken(ctx.tokens, {
      // The id_token's `sid` is derived from, never equal to, the session cookie value.
      tenantId: o.tenant.id, client: o.client.app, user: o.user, nonce: o.nonce, authTime: o.authTime,
      ...(o.sid ? { sid: guidFromHash(`sid:${o.sid}`) } : {}),
      withProfile: o.oidc.has('profile'), withEmail: o.oidc.has('email'),
    });
  }
  if (o.wantClientInfo) body.client_info = clientInfo(o.user.id, o.tenant.id);
  return body;
}
