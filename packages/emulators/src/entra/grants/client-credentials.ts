/**
 * grant_type=client_credentials: `scope={resource}/.default` only (AADSTS1002012 otherwise); the token
 * carries the app roles granted to the client on that resource and never comes with a refresh token.
 */
import type { IncomingMessage } from 'node:http';
import type { EntraContext } from '../context.ts';
import type { Tenant } from '../directory.ts';
import { EntraError } from '../errors.ts';
import { required } from '../http-util.ts';
import { authenticateClient } from '../client-auth.ts';
import type { TokenResponse } from '../issue.ts';
import { parseScopes } from '../scopes.ts';
import { mintAccessToken } from '../tokens.ts';

export async function clientCredentialsGrant(ctx: EntraContext, tenant: Tenant, segment: string, p: URLSearchParams, req: IncomingMessage): Promise<TokenResponse> {
  const client = await authenticateClient(ctx, tenant, segment, p, req, { allowPublic: false });
  const scope = required(p, 'scope');
  const parsed = parseScopes(ctx.directory, tenant, client.app.appId, scope);
  const resource = parsed.resources[0];
  if (!resource || parsed.resources.length !== 1 || !resource.isDefault || parsed.oidc.size > 0) throw new EntraError(1002012, [scope]);
  const defined = new Set(resource.app?.appRoles.map((r) => r.value) ?? []);
  const roles = (client.app.grantedAppRoles[resource.appId] ?? []).filter((r) => defined.has(r));
  const at = await mintAccessToken(ctx.tokens, { tenantId: tenant.id, client: client.app, clientAuth: client.auth, resource, scopes: [], roles });
  return { token_type: 'Bearer', expires_in: at.expiresIn, ext_expires_in: at.expiresIn, access_token: at.token };
}
