/**
 * POST /{poolId}/oauth2/register: OAuth 2.0 Dynamic Client Registration (RFC 7591) for the pool, an
 * emulator extension (Cognito has none) so that MCP clients, which register themselves (MCP authorization
 * spec, "Dynamic Client Registration"), can sign users in knowing only a server's URL. It creates an
 * ordinary app client (code flow, PKCE) through the same code as CreateUserPoolClient; redirect URIs are
 * held to Cognito's rule (https, or http on loopback only, RFC 8252 §7.3).
 */
import { z } from 'zod';
import { readBody, sendJson, type RequestContext } from '@mandate/http';
import { createClient } from '../ops/clients.ts';
import { STANDARD_SCOPES } from '../ops/oauth-settings.ts';
import type { UserPoolContext } from '../protocol.ts';
import { findPool } from './authorize.ts';

const BODY_LIMIT = 16 * 1024;
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

const metadata = z.object({
  redirect_uris: z.array(z.string().max(1024)).min(1).max(20),
  client_name: z.string().min(1).max(128).optional(),
  token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token'])).default(['authorization_code']),
  response_types: z.array(z.literal('code')).default(['code']),
  scope: z.string().max(1024).optional(),
}).passthrough();

/** RFC 7591 §3.2.2: an error is 400 with `error` and `error_description`. */
const refuse = (res: RequestContext['res'], error: string, description: string) => sendJson(res, 400, { error, error_description: description });

function allowedRedirect(uri: string): boolean {
  if (!URL.canParse(uri)) return false;
  const u = new URL(uri);
  if (u.hash !== '') return false;
  return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
}

export function handleRegister(ctx: UserPoolContext) {
  return async ({ req, res, params }: RequestContext): Promise<void> => {
    const pool = findPool(ctx, params.poolId!);
    if (!pool) {
      req.resume();
      return sendJson(res, 404, { error: 'invalid_request', error_description: `User pool ${params.poolId} does not exist.` });
    }
    let raw: unknown;
    try {
      raw = JSON.parse((await readBody(req, BODY_LIMIT)).toString('utf8'));
    } catch {
      return refuse(res, 'invalid_client_metadata', 'The request body must be a JSON object of client metadata.');
    }
    const parsed = metadata.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      return refuse(res, i.path[0] === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata', `${i.path.join('.') || 'body'}: ${i.message}`);
    }
    const m = parsed.data;
    const bad = m.redirect_uris.find((u) => !allowedRedirect(u));
    if (bad !== undefined) return refuse(res, 'invalid_redirect_uri', `${bad} is not allowed: use https, or http on localhost/127.0.0.1.`);
    const requested = m.scope?.split(' ').filter(Boolean) ?? DEFAULT_SCOPES;
    const scopes = requested.filter((s) => (STANDARD_SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0) return refuse(res, 'invalid_client_metadata', `scope: none of ${requested.join(' ')} is a scope of this pool (${STANDARD_SCOPES.join(' ')}).`);
    const client = await createClient(ctx, pool, {
      ClientName: (m.client_name ?? 'dynamic client').replace(/[^\w\s+=,.@-]/g, ' ').trim() || 'dynamic client',
      GenerateSecret: m.token_endpoint_auth_method !== 'none',
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: scopes,
      CallbackURLs: m.redirect_uris,
      SupportedIdentityProviders: ['COGNITO'],
    });
    sendJson(res, 201, {
      client_id: client.clientId,
      client_id_issued_at: Math.floor(client.createdAt / 1000),
      ...(client.clientSecret ? { client_secret: client.clientSecret, client_secret_expires_at: 0 } : {}),
      client_name: client.clientName,
      redirect_uris: m.redirect_uris,
      token_endpoint_auth_method: m.token_endpoint_auth_method,
      grant_types: m.grant_types,
      response_types: m.response_types,
      scope: scopes.join(' '),
    }, { 'cache-control': 'no-store' });
  };
}
