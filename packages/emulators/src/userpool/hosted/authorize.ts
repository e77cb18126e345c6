/**
 * GET /{poolId}/oauth2/authorize: Cognito's authorization endpoint, authorization code flow only.
 * An unknown pool or client, or a redirect_uri that is not exactly one of the client's CallbackURLs,
 * is an error page and never a redirect (RFC 6749 §4.1.2.1). Every later error goes back to the
 * verified redirect URI as `error`/`error_description`/`state`. A valid request shows the sign-in page.
 */
import type { ServerResponse } from 'node:http';
import { randomToken } from '@mandate/core';
import { redirect, sendHtml, type RequestContext } from '@mandate/http';
import type { ClientRecord, PoolRecord } from '../model.ts';
import { codeFlowEnabled } from '../ops/oauth-settings.ts';
import type { UserPoolContext } from '../protocol.ts';
import { BadRequest, cookie, param, setCookie } from './http.ts';
import { formPageHeaders, loginPage, sendErrorPage } from './pages.ts';
import { INTERACTION_TTL_MS, type AuthorizeRequest, type HostedState } from './store.ts';

export const BROWSER_COOKIE = 'mandate_userpool_browser';

class AuthorizeError extends Error {
  readonly error: string;
  constructor(error: string, description: string) {
    super(description);
    this.error = error;
  }
}

/** An OAuth error response to a verified redirect URI (RFC 6749 §4.1.2.1), in the query like Cognito. */
export function redirectWith(res: ServerResponse, redirectUri: string, values: Record<string, string | undefined>): void {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(values)) if (v !== undefined) u.searchParams.set(k, v);
  redirect(res, u.href, 302);
}

export function findPool(ctx: UserPoolContext, poolId: string): PoolRecord | undefined {
  return Object.hasOwn(ctx.state.data.pools, poolId) ? ctx.state.data.pools[poolId] : undefined;
}

export function findClient(pool: PoolRecord, clientId: string | undefined): ClientRecord | undefined {
  return clientId !== undefined && Object.hasOwn(pool.clients, clientId) ? pool.clients[clientId] : undefined;
}

/** RFC 7636 §4.2: an S256 challenge is the base64url SHA-256 of the verifier, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function handleAuthorize(ctx: UserPoolContext, hosted: HostedState) {
  return ({ req, res, params, query }: RequestContext): void => {
    const pool = findPool(ctx, params.poolId!);
    if (!pool) return sendErrorPage(res, 404, 'invalid_request', `User pool ${params.poolId} does not exist.`);
    let client: ClientRecord | undefined;
    let redirectUri: string | undefined;
    let state: string | undefined;
    try {
      const clientId = param(query, 'client_id');
      if (clientId === undefined) return sendErrorPage(res, 400, 'invalid_request', 'The client_id parameter is required.');
      client = findClient(pool, clientId);
      if (!client) return sendErrorPage(res, 400, 'invalid_client', `Client ${clientId} does not exist in user pool ${pool.id}.`);
      redirectUri = param(query, 'redirect_uri');
      if (redirectUri === undefined) return sendErrorPage(res, 400, 'invalid_request', 'The redirect_uri parameter is required.');
      if (!client.callbackUrls.includes(redirectUri)) {
        return sendErrorPage(res, 400, 'redirect_mismatch', 'The redirect_uri is not one of the app client\'s callback URLs (they must match exactly).');
      }
      state = param(query, 'state');
    } catch (err) {
      if (err instanceof BadRequest) return sendErrorPage(res, 400, 'invalid_request', err.message);
      throw err;
    }

    let request: AuthorizeRequest;
    try {
      request = validate(pool, client, redirectUri, query);
    } catch (err) {
      if (err instanceof AuthorizeError) return redirectWith(res, redirectUri, { error: err.error, error_description: err.message, state });
      if (err instanceof BadRequest) return redirectWith(res, redirectUri, { error: 'invalid_request', error_description: err.message, state });
      throw err;
    }

    let browserId = cookie(req, BROWSER_COOKIE);
    if (browserId === undefined || !/^[A-Za-z0-9_-]{32,64}$/.test(browserId)) {
      browserId = randomToken(24);
      setCookie(res, BROWSER_COOKIE, browserId, `/${pool.id}`);
    }
    const interaction = randomToken(24);
    const csrf = randomToken(24);
    hosted.interactions.set(interaction, { request, browserId, csrf }, INTERACTION_TTL_MS);
    sendHtml(res, 200, loginPage({
      action: `/${pool.id}/login`, interaction, csrf, clientName: client.clientName, username: param(query, 'login_hint'),
    }), formPageHeaders());
  };
}

function validate(pool: PoolRecord, client: ClientRecord, redirectUri: string, query: URLSearchParams): AuthorizeRequest {
  const responseType = param(query, 'response_type');
  if (responseType === undefined) throw new AuthorizeError('invalid_request', 'The response_type parameter is required.');
  if (responseType !== 'code') throw new AuthorizeError('unsupported_response_type', `response_type ${responseType} is not supported; the emulator implements the authorization code flow (response_type=code).`);
  if (!codeFlowEnabled(client)) throw new AuthorizeError('unauthorized_client', 'The app client is not allowed to use the authorization code flow (AllowedOAuthFlows must include code).');
  if (!client.supportedIdentityProviders.includes('COGNITO')) throw new AuthorizeError('unauthorized_client', 'The app client has no identity provider enabled (SupportedIdentityProviders must include COGNITO).');
  const idp = param(query, 'identity_provider');
  if (idp !== undefined && idp !== 'COGNITO') throw new AuthorizeError('invalid_request', `Identity provider ${idp} is not enabled for this app client.`);
  if (param(query, 'prompt') === 'none') throw new AuthorizeError('login_required', 'The emulator keeps no sign-in session; the user must sign in.');

  const requested = (param(query, 'scope') ?? '').split(' ').filter((s) => s !== '');
  // Cognito grants all of the client's allowed scopes when the request names none.
  const scopes = requested.length === 0 ? client.allowedOAuthScopes : [...new Set(requested)];
  const notAllowed = scopes.filter((s) => !client.allowedOAuthScopes.includes(s));
  if (notAllowed.length > 0) throw new AuthorizeError('invalid_scope', `The app client is not allowed the scope ${notAllowed.join(' ')}.`);

  const challenge = param(query, 'code_challenge');
  const method = param(query, 'code_challenge_method');
  if (challenge !== undefined || method !== undefined) {
    if (challenge === undefined) throw new AuthorizeError('invalid_request', 'code_challenge_method was sent without a code_challenge.');
    // RFC 7636 §4.3 makes `plain` the default; a plain challenge is the verifier itself, so it is refused.
    if (method !== 'S256') throw new AuthorizeError('invalid_request', `code_challenge_method ${method ?? 'plain (the default)'} is not supported; use S256.`);
    if (!S256_CHALLENGE.test(challenge)) throw new AuthorizeError('invalid_request', 'code_challenge must be the 43-character base64url SHA-256 of the code verifier (RFC 7636 §4.2).');
  } else if (client.clientSecret === undefined) {
    // A client without a secret has nothing but PKCE to bind the code to itself (RFC 9700 §2.1.1).
    throw new AuthorizeError('invalid_request', 'PKCE is required for app clients without a secret: send code_challenge with code_challenge_method=S256.');
  }
  return {
    poolId: pool.id,
    clientId: client.clientId,
    redirectUri,
    scope: scopes.join(' '),
    state: param(query, 'state'),
    nonce: param(query, 'nonce'),
    codeChallenge: challenge,
  };
}
