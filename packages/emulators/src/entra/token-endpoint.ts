/** POST /{tenant}/oauth2/v2.0/token: parses the form once and dispatches on grant_type. */
import type { IncomingMessage } from 'node:http';
import { sendJson, type RequestContext } from '@mandate/http';
import type { EntraContext } from './context.ts';
import type { Tenant } from './directory.ts';
import { EntraError } from './errors.ts';
import { readForm, required } from './http-util.ts';
import type { TokenResponse } from './issue.ts';
import { authorizationCodeGrant } from './grants/authorization-code.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { onBehalfOfGrant } from './grants/on-behalf-of.ts';
import { deviceCodeGrant } from './grants/device-code.ts';

type Grant = (ctx: EntraContext, tenant: Tenant, segment: string, p: URLSearchParams, req: IncomingMessage) => Promise<TokenResponse>;

const GRANTS: Record<string, Grant> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  'urn:ietf:params:oauth:grant-type:jwt-bearer': onBehalfOfGrant,
  'urn:ietf:params:oauth:grant-type:device_code': deviceCodeGrant,
  device_code: deviceCodeGrant,
};

export async function handleToken(ctx: EntraContext, tenant: Tenant, segment: string, rc: RequestContext): Promise<void> {
  const p = await readForm(rc.req);
  const grantType = required(p, 'grant_type');
  const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
  if (!grant) throw new EntraError(70003, [grantType]);
  const body = await grant(ctx, tenant, segment, p, rc.req);
  // RFC 6749 §5.1: token responses must not be cached.
  sendJson(rc.res, 200, body, { 'cache-control': 'no-store', pragma: 'no-cache' });
}
