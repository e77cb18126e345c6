import { z } from 'zod';
import { cognitoError } from '../errors.ts';
import { OAUTH_FLOWS, type ClientRecord, type OAuthFlow } from '../model.ts';

/**
 * An app client's OAuth 2.0 settings (CreateUserPoolClient / UpdateUserPoolClient), validated the way
 * Cognito validates them. The exception names and the messages Cognito is known to return are kept
 * ("AllowedOAuthFlows and AllowedOAuthScopes are required...", "CallbackUrls can not be empty...",
 * the two client_credentials rules, "Invalid scope requested: X"); the wording of the URL checks is
 * the emulator's own.
 */

/** Cognito's RedirectUrlType: 1-1024 characters of letters, marks, symbols, numbers and punctuation. */
const RedirectUrl = z.string().min(1).max(1024).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
const Scope = z.string().min(1).max(256).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+');

export const OAuthInput = {
  CallbackURLs: z.array(RedirectUrl).max(100).optional(),
  LogoutURLs: z.array(RedirectUrl).max(100).optional(),
  AllowedOAuthFlows: z.array(z.enum(OAUTH_FLOWS)).max(3).optional(),
  AllowedOAuthScopes: z.array(Scope).max(50).optional(),
  AllowedOAuthFlowsUserPoolClient: z.boolean().optional(),
  SupportedIdentityProviders: z.array(z.string().min(1).max(32)).optional(),
};

export interface OAuthInput {
  CallbackURLs?: string[] | undefined;
  LogoutURLs?: string[] | undefined;
  AllowedOAuthFlows?: OAuthFlow[] | undefined;
  AllowedOAuthScopes?: string[] | undefined;
  AllowedOAuthFlowsUserPoolClient?: boolean | undefined;
  SupportedIdentityProviders?: string[] | undefined;
}

export type OAuthSettings = Pick<ClientRecord, 'callbackUrls' | 'logoutUrls' | 'allowedOAuthFlows' | 'allowedOAuthScopes' | 'allowedOAuthFlowsUserPoolClient' | 'supportedIdentityProviders'>;

/** The scopes every pool has. Custom scopes belong to resource servers and are written `identifier/name`. */
export const STANDARD_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'] as const;
const STANDARD = new Set<string>(STANDARD_SCOPES);

/** The identity providers a pool knows: the emulator has no federation, so only the pool's own users. */
const IDENTITY_PROVIDERS = new Set(['COGNITO']);

/** HTTP is allowed for loopback only, as in Cognito ("HTTPS over HTTP except for http://localhost"). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Schemes that would run code or read local files instead of returning to an app. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

function checkRedirectUrl(field: 'CallbackURLs' | 'LogoutURLs', url: string): void {
  const invalid = (why: string) => cognitoError('InvalidParameterException', `Invalid ${field} value ${JSON.stringify(url)}: ${why}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid('it must be an absolute URL.');
  }
  if (url.includes('#')) throw invalid('it must not contain a fragment (RFC 6749 §3.1.2).');
  if (FORBIDDEN_SCHEMES.has(u.protocol)) throw invalid(`the ${u.protocol} scheme is not allowed.`);
  if (u.protocol === 'http:' && !LOOPBACK_HOSTS.has(u.hostname)) throw invalid('HTTP is allowed only for localhost, 127.0.0.1 and [::1]; use HTTPS.');
  if ((u.protocol === 'http:' || u.protocol === 'https:') && u.username + u.password !== '') throw invalid('it must not contain user information.');
}

/**
 * Validates and normalizes the OAuth settings of a request. Like UpdateUserPoolClient in Cognito, a
 * setting that is absent takes its default (empty / false): callers pass the whole desired state.
 */
export function oauthSettings(poolId: string, input: OAuthInput, hasSecret: boolean): OAuthSettings {
  const s: OAuthSettings = {
    callbackUrls: [...new Set(input.CallbackURLs ?? [])],
    logoutUrls: [...new Set(input.LogoutURLs ?? [])],
    allowedOAuthFlows: [...new Set(input.AllowedOAuthFlows ?? [])],
    allowedOAuthScopes: [...new Set(input.AllowedOAuthScopes ?? [])],
    allowedOAuthFlowsUserPoolClient: input.AllowedOAuthFlowsUserPoolClient ?? false,
    supportedIdentityProviders: [...new Set(input.SupportedIdentityProviders ?? [])],
  };
  for (const p of s.supportedIdentityProviders) {
    if (!IDENTITY_PROVIDERS.has(p)) throw cognitoError('InvalidParameterException', `The provider ${p} does not exist for User Pool ${poolId}`);
  }
  for (const scope of s.allowedOAuthScopes) {
    // Without resource servers in the emulator, any `identifier/name` counts as a custom scope.
    const custom = /^[^/]+\/[^/]+$/.test(scope);
    if (!STANDARD.has(scope) && !custom) throw cognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${scope}`);
  }
  for (const url of s.callbackUrls) checkRedirectUrl('CallbackURLs', url);
  for (const url of s.logoutUrls) checkRedirectUrl('LogoutURLs', url);

  // The flag gates the authorization server features (Cognito's documentation of the parameter);
  // scopes alone may be kept on a client that does not use them yet.
  const configured = s.callbackUrls.length + s.logoutUrls.length + s.allowedOAuthFlows.length > 0;
  if (!s.allowedOAuthFlowsUserPoolClient) {
    if (configured) throw cognitoError('InvalidParameterException', 'AllowedOAuthFlowsUserPoolClient must be true to set CallbackURLs, LogoutURLs or AllowedOAuthFlows.');
    return s;
  }
  if (s.allowedOAuthFlows.length === 0 || s.allowedOAuthScopes.length === 0) {
    throw cognitoError('InvalidParameterException', 'AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.');
  }
  const browserFlow = s.allowedOAuthFlows.includes('code') || s.allowedOAuthFlows.includes('implicit');
  if (s.allowedOAuthFlows.includes('client_credentials')) {
    if (browserFlow) throw cognitoError('InvalidOAuthFlowException', 'client_credentials flow can not be selected along with code flow or implicit flow.');
    if (!hasSecret) throw cognitoError('InvalidOAuthFlowException', 'client_credentials flow can not be selected if client does not have a client secret.');
  }
  if (browserFlow && s.callbackUrls.length === 0) {
    throw cognitoError('InvalidOAuthFlowException', 'CallbackUrls can not be empty when code flow or implicit flow is selected');
  }
  return s;
}

/** Whether the client may use the authorization-code grant of the hosted sign-in. */
export function codeFlowEnabled(client: ClientRecord): boolean {
  return client.allowedOAuthFlowsUserPoolClient && client.allowedOAuthFlows.includes('code');
}

/** Scopes a client gets when the hosted sign-in is switched on for it without any (the seed, `addCallbackUrl`). */
export const DEFAULT_HOSTED_SCOPES = ['openid', 'email', 'profile'];

/**
 * Adds callback URLs and scopes to a client, as an administrator would in the console, without
 * resetting anything else. With at least one callback URL the client gets the code flow and the
 * pool's own sign-in (COGNITO). Validated like UpdateUserPoolClient; changes nothing on failure.
 */
export function extendOAuthSettings(poolId: string, client: ClientRecord, add: { callbackUrls?: string[] | undefined; scopes?: string[] | undefined }): boolean {
  const callbackUrls = [...new Set([...client.callbackUrls, ...(add.callbackUrls ?? [])])];
  let scopes = [...new Set([...client.allowedOAuthScopes, ...(add.scopes ?? [])])];
  const hosted = callbackUrls.length > 0;
  if (hosted && scopes.length === 0) scopes = [...DEFAULT_HOSTED_SCOPES];
  const next = oauthSettings(poolId, {
    CallbackURLs: callbackUrls,
    LogoutURLs: client.logoutUrls,
    AllowedOAuthScopes: scopes,
    AllowedOAuthFlows: hosted ? [...new Set([...client.allowedOAuthFlows, 'code' as const])] : client.allowedOAuthFlows,
    AllowedOAuthFlowsUserPoolClient: hosted || client.allowedOAuthFlowsUserPoolClient,
    SupportedIdentityProviders: hosted ? [...new Set([...client.supportedIdentityProviders, 'COGNITO'])] : client.supportedIdentityProviders,
  }, client.clientSecret !== undefined);
  const changed = JSON.stringify(next) !== JSON.stringify({
    callbackUrls: client.callbackUrls, logoutUrls: client.logoutUrls, allowedOAuthFlows: client.allowedOAuthFlows,
    allowedOAuthScopes: client.allowedOAuthScopes, allowedOAuthFlowsUserPoolClient: client.allowedOAuthFlowsUserPoolClient,
    supportedIdentityProviders: client.supportedIdentityProviders,
  });
  if (changed) Object.assign(client, next);
  return changed;
}
