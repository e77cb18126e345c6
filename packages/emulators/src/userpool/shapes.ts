import { z } from 'zod';
import type { ClientRecord, PoolRecord, UserRecord } from './model.ts';
import { POOL_ID_PATTERN, CLIENT_ID_PATTERN } from './model.ts';

/** AWS JSON 1.1 timestamps are epoch seconds. */
export const ts = (ms: number): number => ms / 1000;

export const PoolIdSchema = z.string().regex(POOL_ID_PATTERN, 'Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+').max(55);
export const ClientIdSchema = z.string().min(1).max(128).regex(CLIENT_ID_PATTERN, 'Member must satisfy regular expression pattern: [\\w+]+');
/** Cognito's username pattern: letters, marks, symbols, numbers, punctuation (no whitespace). */
export const UsernameSchema = z.string().min(1).max(128).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
export const PasswordSchema = z.string().max(256);
export const AttributesSchema = z.array(z.object({ Name: z.string().min(1).max(32), Value: z.string().max(2048).optional() }));

export function poolShape(pool: PoolRecord): Record<string, unknown> {
  return {
    Id: pool.id,
    Name: pool.name,
    Arn: pool.arn,
    Policies: { PasswordPolicy: { ...pool.policy } },
    DeletionProtection: 'INACTIVE',
    LambdaConfig: {},
    SchemaAttributes: [],
    MfaConfiguration: 'OFF',
    EstimatedNumberOfUsers: Object.keys(pool.users).length,
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: pool.policy.TemporaryPasswordValidityDays },
    UsernameConfiguration: { CaseSensitive: true },
    CreationDate: ts(pool.createdAt),
    LastModifiedDate: ts(pool.modifiedAt),
  };
}

export function poolDescription(pool: PoolRecord): Record<string, unknown> {
  return { Id: pool.id, Name: pool.name, LambdaConfig: {}, CreationDate: ts(pool.createdAt), LastModifiedDate: ts(pool.modifiedAt) };
}

export function clientShape(poolId: string, c: ClientRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    UserPoolId: poolId,
    ClientName: c.clientName,
    ClientId: c.clientId,
    RefreshTokenValidity: c.refreshTokenValidity,
    AccessTokenValidity: c.accessTokenValidity,
    IdTokenValidity: c.idTokenValidity,
    TokenValidityUnits: { ...c.units },
    ExplicitAuthFlows: [...c.explicitAuthFlows],
    AllowedOAuthFlowsUserPoolClient: c.allowedOAuthFlowsUserPoolClient,
    PreventUserExistenceErrors: c.preventUserExistenceErrors,
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 3,
    CreationDate: ts(c.createdAt),
    LastModifiedDate: ts(c.modifiedAt),
  };
  if (c.clientSecret !== undefined) out.ClientSecret = c.clientSecret;
  // Cognito leaves empty OAuth lists out of the description.
  if (c.supportedIdentityProviders.length > 0) out.SupportedIdentityProviders = [...c.supportedIdentityProviders];
  if (c.callbackUrls.length > 0) out.CallbackURLs = [...c.callbackUrls];
  if (c.logoutUrls.length > 0) out.LogoutURLs = [...c.logoutUrls];
  if (c.allowedOAuthFlows.length > 0) out.AllowedOAuthFlows = [...c.allowedOAuthFlows];
  if (c.allowedOAuthScopes.length > 0) out.AllowedOAuthScopes = [...c.allowedOAuthScopes];
  return out;
}

export function attributeList(user: UserRecord, only?: string[]): Array<{ Name: string; Value: string }> {
  const all = [{ Name: 'sub', Value: user.sub }, ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value }))];
  return only ? all.filter((a) => only.includes(a.Name)) : all;
}

/** `UserType` (AdminCreateUser, ListUsers). */
export function userShape(user: UserRecord, only?: string[]): Record<string, unknown> {
  return {
    Username: user.username,
    Attributes: attributeList(user, only),
    UserCreateDate: ts(user.createdAt),
    UserLastModifiedDate: ts(user.modifiedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}
