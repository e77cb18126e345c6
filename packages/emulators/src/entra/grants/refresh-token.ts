/**
 * grant_type=refresh_token. Entra issues a new refresh token on every redemption and does NOT revoke
 * the old one; a refresh token is bound to (user, client), not to a resource, and `scope` selects the
 * resource ("first scope's resource wins", reference §3.2, §4).
 */
import type { IncomingMessage } from 'node:http';
import type { EntraContext } from '../context.ts';
import type { Tenant } from '../directory.ts';
import { EntraError } from '../errors.ts';
import { REFRESH_TTL } from '../grant-store.ts';
import { param, required } from '../http-util.ts';
import { authenticateClient } from '../client-auth.ts';
import { issueDelegated, type TokenResponse } from '../issue.ts';
import { checkResourceIndicator, parseScopes, singleResource } from '../scopes.ts';

export async function refreshTokenGrant(ctx: EntraContext, tenant: Tenant, segment: string, p: URLSearchParams, req: IncomingMessage): Promise<TokenResponse> {
  const client = await authenticateClient(ctx, tenant, segment, p, req, { allowPublic: true });
  const rt = required(p, 'refresh_token');
  const found = ctx.store.refreshTokens.peek(rt);
  if (!found) throw new EntraError(70000, ['The refresh token is invalid or malformed.']);
  if (found.expired) throw new EntraError(70008);
  const rec = found.v;
  if (rec.tenantId !== tenant.id) throw new EntraError(70000, ['The refresh token was issued by a different tenant.']);
  if (rec.clientId !== client.app.appId) throw new EntraError(70000, ['The refresh token was issued to a different client.']);
  const user = tenant.users.get(rec.userId);
  if (!user) throw new EntraError(70000, ['The user no longer exists.']);
  ctx.store.refreshTokens.set(rt, rec, REFRESH_TTL); // sliding inactivity window
  const scope = param(p, 'scope') ?? 'openid profile offline_access';
  const parsed = parseScopes(ctx.directory, tenant, client.app.appId, scope);
  checkResourceIndicator(ctx.directory, tenant, param(p, 'resource'), parsed);
  const resource = singleResource(parsed, scope, true);
  return await issueDelegated(ctx, {
    tenant, client, user, resource, oidc: new Set([...parsed.oidc, 'offline_access']), authTime: rec.authTime, sid: rec.sid,
    refresh: true, wantClientInfo: param(p, 'client_info') === '1',
  });
}
