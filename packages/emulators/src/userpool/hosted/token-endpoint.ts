/**
 * POST /{poolId}/oauth2/token: the `authorization_code` grant (with the PKCE verifier) and the
 * `refresh_token` grant, as Cognito's token endpoint answers them. Clients with a secret authenticate
 * with HTTP Basic or `client_secret` in the body; clients without one send `client_id` only. Errors are
 * RFC 6749 §5.2 JSON: invalid_request, invalid_client, invalid_grant, unauthorized_client,
 * unsupported_grant_type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { sendJson, type RequestContext } from '@mandate/http';
import type { ClientRecord, PoolRecord, RefreshRecord, UserRecord } from '../model.ts';
import { flowEnabled } from '../ops/clients.ts';
import { codeFlowEnabled } from '../ops/oauth-settings.ts';
import type { UserPoolContext } from '../protocol.ts';
import { sha256 } from '../state.ts';
import { issueTokens, type AuthenticationResult } from '../tokens.ts';
import { findClient, findPool } from './authorize.ts';
import { BadRequest, param, readForm, safeEqual } from './http.ts';
import type { HostedState } from './store.ts';

export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(error: string, description: string, status = 400, headers: Record<string, string> = {}) {
    super(description);
    this.error = error;
    this.status = status;
    this.headers = headers;
  }
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function sendOAuthError(res: ServerResponse, err: OAuthError): void {
  sendJson(res, err.status, { error: err.error, error_description: err.message }, { ...NO_STORE, ...err.headers });
}

/** RFC 6749 §2.3.1: Basic credentials are form-encoded before being joined with ':'. */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const h = req.headers.authorization;
  if (!h || !/^basic /i.test(h)) return undefined;
  const bad = () => new OAuthError('invalid_client', 'The Authorization header is not valid Basic client authentication.', 401, { 'www-authenticate': 'Basic' });
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw bad();
  try {
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)) };
  } catch {
    throw bad();
  }
}

function authenticate(pool: PoolRecord, p: URLSearchParams, req: IncomingMessage): ClientRecord {
  const basic = basicCredentials(req);
  const bodyId = param(p, 'client_id');
  const bodySecret = param(p, 'client_secret');
  if (basic && bodySecret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body, not both.');
  if (basic && bodyId !== undefined && bodyId !== basic.id) throw new OAuthError('invalid_request', 'client_id in the body and in the Authorization header differ.');
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined) throw new OAuthError('invalid_request', 'The client_id parameter is required.');
  // RFC 6749 §5.2: a failed Basic authentication is a 401 with a challenge.
  const failed = (why: string) => new OAuthError('invalid_client', why, basic ? 401 : 400, basic ? { 'www-authenticate': 'Basic' } : {});
  const client = findClient(pool, clientId);
  if (!client) throw failed('Client authentication failed: unknown client.');
  const secret = basic?.secret ?? bodySecret;
  if (client.clientSecret !== undefined) {
    if (secret === undefined) throw failed(`Client ${client.clientId} is configured with a secret but none was sent.`);
    // Hash first so the comparison takes the same time whatever the lengths.
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    if (!safeEqual(digest(secret), digest(client.clientSecret))) throw failed('Client authentication failed.');
  } else if (secret !== undefined && secret !== '') {
    throw failed(`Client ${client.clientId} has no secret; send client_id only.`);
  }
  return client;
}

function liveUser(ctx: UserPoolContext, pool: PoolRecord, username: string, sub: string): UserRecord {
  const user = ctx.state.findUser(pool, username);
  if (!user || user.sub !== sub) throw new OAuthError('invalid_grant', 'The user no longer exists.');
  if (!user.enabled) throw new OAuthError('invalid_grant', 'User is disabled.');
  return user;
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

async function authorizationCode(ctx: UserPoolContext, hosted: HostedState, pool: PoolRecord, client: ClientRecord, p: URLSearchParams): Promise<AuthenticationResult> {
  if (!codeFlowEnabled(client)) throw new OAuthError('unauthorized_client', 'The app client is not allowed to use the authorization code grant.');
  const code = param(p, 'code');
  if (code === undefined) throw new OAuthError('invalid_request', 'The code parameter is required.');
  const redirectUri = param(p, 'redirect_uri');
  if (redirectUri === undefined) throw new OAuthError('invalid_request', 'The redirect_uri parameter is required.');
  const verifier = param(p, 'code_verifier');
  // Taken out at once: a code is redeemed at most once, even by a request that then fails.
  const taken = hosted.codes.take(code);
  if (!taken) throw new OAuthError('invalid_grant', 'The authorization code is invalid or was already used.');
  if (taken.expired) throw new OAuthError('invalid_grant', 'The authorization code has expired.');
  const rec = taken.v;
  if (rec.request.poolId !== pool.id || rec.request.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'The authorization code was issued to another client.');
  if (rec.request.redirectUri !== redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the one of the authorization request.');
  if (rec.request.codeChallenge !== undefined) {
    if (verifier === undefined) throw new OAuthError('invalid_grant', 'The code_verifier parameter is required: the authorization request used PKCE.');
    const computed = createHash('sha256').update(verifier).digest('base64url');
    if (!VERIFIER.test(verifier) || !safeEqual(computed, rec.request.codeChallenge)) throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge (RFC 7636 §4.6).');
  } else if (verifier !== undefined) {
    // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade attempt.
    throw new OAuthError('invalid_grant', 'code_verifier was sent but the authorization request had no code_challenge.');
  }
  const user = liveUser(ctx, pool, rec.username, rec.sub);
  const result = await issueTokens(ctx.state, ctx.issuer(pool.id), pool, client, user, undefined, { scope: rec.request.scope, nonce: rec.request.nonce, authTime: rec.authTime });
  await ctx.state.commit();
  return result;
}

async function refreshToken(ctx: UserPoolContext, pool: PoolRecord, client: ClientRecord, p: URLSearchParams): Promise<AuthenticationResult> {
  if (!flowEnabled(client, 'REFRESH_TOKEN_AUTH')) throw new OAuthError('unauthorized_client', 'The app client is not allowed to refresh tokens (ALLOW_REFRESH_TOKEN_AUTH).');
  const token = param(p, 'refresh_token');
  if (token === undefined) throw new OAuthError('invalid_request', 'The refresh_token parameter is required.');
  const key = sha256(token);
  const rec: RefreshRecord | undefined = Object.hasOwn(ctx.state.data.refreshTokens, key) ? ctx.state.data.refreshTokens[key] : undefined;
  if (!rec || rec.poolId !== pool.id || rec.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'Invalid Refresh Token');
  if (rec.expiresAt <= ctx.state.clock.now()) throw new OAuthError('invalid_grant', 'Refresh Token has expired');
  return issueTokens(ctx.state, ctx.issuer(pool.id), pool, client, liveUser(ctx, pool, rec.username, rec.sub), rec);
}

export function handleToken(ctx: UserPoolContext, hosted: HostedState) {
  return async ({ req, res, params }: RequestContext): Promise<void> => {
    try {
      let p: URLSearchParams;
      try {
        p = await readForm(req);
      } catch (err) {
        if (err instanceof BadRequest) throw new OAuthError('invalid_request', err.message);
        throw err;
      }
      const pool = findPool(ctx, params.poolId!);
      if (!pool) throw new OAuthError('invalid_client', `User pool ${params.poolId} does not exist.`);
      const grantType = param(p, 'grant_type');
      if (grantType === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is required.');
      const client = authenticate(pool, p, req);
      let out: AuthenticationResult;
      if (grantType === 'authorization_code') out = await authorizationCode(ctx, hosted, pool, client, p);
      else if (grantType === 'refresh_token') out = await refreshToken(ctx, pool, client, p);
      else throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported by the emulator (authorization_code, refresh_token).`);
      const body: Record<string, unknown> = {};
      if (out.IdToken !== undefined) body.id_token = out.IdToken;
      body.access_token = out.AccessToken;
      if (out.RefreshToken !== undefined) body.refresh_token = out.RefreshToken;
      body.expires_in = out.ExpiresIn;
      body.token_type = out.TokenType;
      // RFC 6749 §5.1: token responses must not be cached.
      sendJson(res, 200, body, NO_STORE);
    } catch (err) {
      if (err instanceof BadRequest) return sendOAuthError(res, new OAuthError('invalid_request', err.message));
      if (err instanceof OAuthError) {
        ctx.logger.debug('user-pool token request refused', { error: err.error });
        return sendOAuthError(res, err);
      }
      throw err;
    }
  };
}
