import { z } from 'zod';
import { cognitoError } from '../errors.ts';
import { newClientId, newClientSecret, type ClientRecord, type PoolRecord, type TokenUnit } from '../model.ts';
import { defineOperation, type UserPoolContext } from '../protocol.ts';
import { ClientIdSchema, clientShape, PoolIdSchema } from '../shapes.ts';
import { lifetimeSeconds } from '../tokens.ts';
import { OAuthInput, oauthSettings } from './oauth-settings.ts';

export const AUTH_FLOWS = [
  'ADMIN_NO_SRP_AUTH', 'CUSTOM_AUTH_FLOW_ONLY', 'USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_AUTH',
] as const;

/** Cognito's default when ExplicitAuthFlows is omitted. */
const DEFAULT_FLOWS = ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'];

const Unit = z.enum(['seconds', 'minutes', 'hours', 'days']);

const ClientName = z.string().min(1).max(128).regex(/^[\w\s+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+');

/** The settings CreateUserPoolClient and UpdateUserPoolClient share. */
const ClientSettings = z.object({
  ClientName: ClientName.optional(),
  GenerateSecret: z.boolean().optional(),
  ExplicitAuthFlows: z.array(z.enum(AUTH_FLOWS)).optional(),
  PreventUserExistenceErrors: z.enum(['ENABLED', 'LEGACY']).optional(),
  AccessTokenValidity: z.number().int().min(1).max(86400).optional(),
  IdTokenValidity: z.number().int().min(1).max(86400).optional(),
  RefreshTokenValidity: z.number().int().min(0).max(315360000).optional(),
  TokenValidityUnits: z.object({ AccessToken: Unit.optional(), IdToken: Unit.optional(), RefreshToken: Unit.optional() }).optional(),
  ...OAuthInput,
});

export type ClientInput = z.infer<typeof ClientSettings>;

/** Whether `flow` (an InitiateAuth AuthFlow) is allowed; legacy names count for their ALLOW_ twins. */
export function flowEnabled(client: ClientRecord, flow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH'): boolean {
  const f = client.explicitAuthFlows;
  if (flow === 'USER_PASSWORD_AUTH') return f.includes('ALLOW_USER_PASSWORD_AUTH') || f.includes('USER_PASSWORD_AUTH');
  // Legacy-only clients (no ALLOW_ values) always allow refresh.
  return f.includes('ALLOW_REFRESH_TOKEN_AUTH') || !f.some((x) => x.startsWith('ALLOW_'));
}

type Units = Record<'AccessToken' | 'IdToken' | 'RefreshToken', TokenUnit>;

/** Token lifetimes with Cognito's defaults and limits (access/ID 5 minutes to 1 day, refresh 60 minutes to 10 years). */
function tokenSettings(input: ClientInput): Pick<ClientRecord, 'accessTokenValidity' | 'idTokenValidity' | 'refreshTokenValidity' | 'units'> {
  const units: Units = {
    AccessToken: input.TokenValidityUnits?.AccessToken ?? 'minutes',
    IdToken: input.TokenValidityUnits?.IdToken ?? 'minutes',
    RefreshToken: input.TokenValidityUnits?.RefreshToken ?? 'days',
  };
  const access = input.AccessTokenValidity ?? (units.AccessToken === 'minutes' ? 60 : lifetimeSeconds(1, 'hours') / lifetimeSeconds(1, units.AccessToken));
  const id = input.IdTokenValidity ?? (units.IdToken === 'minutes' ? 60 : lifetimeSeconds(1, 'hours') / lifetimeSeconds(1, units.IdToken));
  const refresh = input.RefreshTokenValidity ?? lifetimeSeconds(30, 'days') / lifetimeSeconds(1, units.RefreshToken);
  const inRange = (v: number, unit: TokenUnit, min: number, max: number) => {
    const s = lifetimeSeconds(v, unit);
    return Number.isInteger(v) && s >= min && s <= max;
  };
  if (!inRange(access, units.AccessToken, 300, 86400)) throw cognitoError('InvalidParameterException', 'Invalid range for token validity: AccessTokenValidity must be between 5 minutes and 1 day.');
  if (!inRange(id, units.IdToken, 300, 86400)) throw cognitoError('InvalidParameterException', 'Invalid range for token validity: IdTokenValidity must be between 5 minutes and 1 day.');
  if (!inRange(refresh, units.RefreshToken, 3600, 315360000)) throw cognitoError('InvalidParameterException', 'Invalid range for token validity: RefreshTokenValidity must be between 60 minutes and 10 years.');
  return { accessTokenValidity: access, idTokenValidity: id, refreshTokenValidity: refresh, units };
}

/** Creates an app client. Shared by CreateUserPoolClient and the seed. */
export async function createClient(ctx: UserPoolContext, pool: PoolRecord, input: ClientInput & { ClientName: string }): Promise<ClientRecord> {
  const tokens = tokenSettings(input);
  const oauth = oauthSettings(pool.id, input, input.GenerateSecret === true);
  const now = ctx.state.clock.now();
  let clientId = newClientId();
  while (Object.hasOwn(pool.clients, clientId)) clientId = newClientId();
  const client: ClientRecord = {
    clientId,
    clientName: input.ClientName,
    explicitAuthFlows: input.ExplicitAuthFlows ? [...new Set(input.ExplicitAuthFlows)] : [...DEFAULT_FLOWS],
    preventUserExistenceErrors: input.PreventUserExistenceErrors ?? 'LEGACY',
    ...tokens,
    ...oauth,
    createdAt: now,
    modifiedAt: now,
  };
  if (input.GenerateSecret) client.clientSecret = newClientSecret();
  pool.clients[clientId] = client;
  await ctx.state.commit();
  return client;
}

/**
 * Replaces an app client's settings. As in Cognito, every setting the request leaves out returns to
 * its default (send the whole desired configuration); the id, secret and creation date stay, and so
 * does the name when none is given.
 */
export async function updateClient(ctx: UserPoolContext, pool: PoolRecord, client: ClientRecord, input: ClientInput): Promise<ClientRecord> {
  const tokens = tokenSettings(input);
  const oauth = oauthSettings(pool.id, input, client.clientSecret !== undefined);
  Object.assign(client, {
    clientName: input.ClientName ?? client.clientName,
    explicitAuthFlows: input.ExplicitAuthFlows ? [...new Set(input.ExplicitAuthFlows)] : [...DEFAULT_FLOWS],
    preventUserExistenceErrors: input.PreventUserExistenceErrors ?? 'LEGACY',
    ...tokens,
    ...oauth,
    modifiedAt: ctx.state.clock.now(),
  });
  await ctx.state.commit();
  return client;
}

export const createUserPoolClient = defineOperation({
  name: 'CreateUserPoolClient',
  signed: true,
  input: ClientSettings.extend({ UserPoolId: PoolIdSchema, ClientName }),
  async handle(ctx, input) {
    const pool = ctx.state.pool(input.UserPoolId);
    return { UserPoolClient: clientShape(pool.id, await createClient(ctx, pool, input)) };
  },
});

export const updateUserPoolClient = defineOperation({
  name: 'UpdateUserPoolClient',
  signed: true,
  input: ClientSettings.omit({ GenerateSecret: true }).extend({ UserPoolId: PoolIdSchema, ClientId: ClientIdSchema }),
  async handle(ctx, input) {
    const pool = ctx.state.pool(input.UserPoolId);
    const client = ctx.state.client(pool, input.ClientId);
    return { UserPoolClient: clientShape(pool.id, await updateClient(ctx, pool, client, input)) };
  },
});

export const describeUserPoolClient = defineOperation({
  name: 'DescribeUserPoolClient',
  signed: true,
  input: z.object({ UserPoolId: PoolIdSchema, ClientId: ClientIdSchema }),
  async handle(ctx, input) {
    const pool = ctx.state.pool(input.UserPoolId);
    return { UserPoolClient: clientShape(pool.id, ctx.state.client(pool, input.ClientId)) };
  },
});
