import { randomBytes } from 'node:crypto';
import { randomAlnum } from '@mandate/core';
import type { JWK } from 'jose';

/** Cognito's password policy (`PasswordPolicyType`); the defaults are the service's own. */
export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

export const defaultPasswordPolicy: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

export type TokenUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export interface ClientRecord {
  clientId: string;
  clientName: string;
  /** Kept in clear: Cognito returns it from DescribeUserPoolClient, and SECRET_HASH checks need it. */
  clientSecret?: string;
  explicitAuthFlows: string[];
  preventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  accessTokenValidity: number;
  idTokenValidity: number;
  refreshTokenValidity: number;
  units: { AccessToken: TokenUnit; IdToken: TokenUnit; RefreshToken: TokenUnit };
  /** The app client's OAuth 2.0 settings (hosted sign-in); see ops/oauth-settings.ts. */
  callbackUrls: string[];
  logoutUrls: string[];
  allowedOAuthFlows: OAuthFlow[];
  allowedOAuthScopes: string[];
  allowedOAuthFlowsUserPoolClient: boolean;
  supportedIdentityProviders: string[];
  createdAt: number;
  modifiedAt: number;
}

export const OAUTH_FLOWS = ['code', 'implicit', 'client_credentials'] as const;
export type OAuthFlow = (typeof OAUTH_FLOWS)[number];

/** Defaults for clients stored before the OAuth settings existed (and for new clients without them). */
export const noOAuthSettings = (): Pick<ClientRecord, 'callbackUrls' | 'logoutUrls' | 'allowedOAuthFlows' | 'allowedOAuthScopes' | 'allowedOAuthFlowsUserPoolClient' | 'supportedIdentityProviders'> => ({
  callbackUrls: [], logoutUrls: [], allowedOAuthFlows: [], allowedOAuthScopes: [], allowedOAuthFlowsUserPoolClient: false, supportedIdentityProviders: [],
});

export type UserStatus = 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';

export interface UserRecord {
  username: string;
  sub: string;
  /** Every attribute except `sub`, as Cognito's name/value strings. */
  attributes: Record<string, string>;
  /** scrypt hash (see passwords.ts); absent until a password is set. */
  passwordHash?: string;
  status: UserStatus;
  enabled: boolean;
  /** When a temporary password was set (it expires after TemporaryPasswordValidityDays). */
  temporaryPasswordSetAt?: number;
  createdAt: number;
  modifiedAt: number;
}

export interface PoolRecord {
  id: string;
  name: string;
  arn: string;
  policy: PasswordPolicy;
  createdAt: number;
  modifiedAt: number;
  /** RS256 signing key (private JWK incl. `kid`). Persisted with the state so tokens survive restarts. */
  signingKey: JWK;
  clients: Record<string, ClientRecord>;
  users: Record<string, UserRecord>;
}

/** A refresh token, stored under the SHA-256 of its value (the value itself is never stored). */
export interface RefreshRecord {
  poolId: string;
  clientId: string;
  username: string;
  sub: string;
  originJti: string;
  eventId: string;
  authTime: number;
  /** The scopes granted at sign-in (hosted sign-in); absent for USER_PASSWORD_AUTH sessions (admin scope). */
  scope?: string;
  expiresAt: number;
}

/** A NEW_PASSWORD_REQUIRED challenge session, stored under the SHA-256 of the session string. */
export interface SessionRecord {
  poolId: string;
  clientId: string;
  username: string;
  sub: string;
  expiresAt: number;
}

export interface UserPoolStateData {
  version: 1;
  pools: Record<string, PoolRecord>;
  refreshTokens: Record<string, RefreshRecord>;
  sessions: Record<string, SessionRecord>;
}

/** `us-west-2_AbCdEf123`: the region, an underscore and nine alphanumerics, like the real service. */
export function newPoolId(region: string): string {
  return `${region}_${randomAlnum(9)}`;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function lowerAlnum(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252 && out.length < length) out += LOWER_ALNUM[b % 36]; // 252 = 7*36: uniform
    }
  }
  return out;
}

/** App client ids are 26 lower-case alphanumerics. */
export const newClientId = (): string => lowerAlnum(26);

/** App client secrets are 51 lower-case alphanumerics (~263 bits). */
export const newClientSecret = (): string => lowerAlnum(51);

export const POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;
export const CLIENT_ID_PATTERN = /^[\w+]+$/;
