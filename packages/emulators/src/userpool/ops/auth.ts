import { z } from 'zod';
import { randomToken } from '@mandate/core';
import { cognitoError } from '../errors.ts';
import type { ClientRecord, PoolRecord, UserRecord } from '../model.ts';
import { burnPasswordCheck, verifyPassword } from '../passwords.ts';
import { defineOperation, type UserPoolContext } from '../protocol.ts';
import { attributeList, ClientIdSchema } from '../shapes.ts';
import { sha256 } from '../state.ts';
import { checkSecretHash, issueTokens, redeemRefreshToken, verifyAccessToken } from '../tokens.ts';
import { flowEnabled } from './clients.ts';
import { setPassword } from './users.ts';

/** Challenge sessions live 3 minutes (Cognito's default AuthSessionValidity). */
const SESSION_TTL_MS = 3 * 60_000;
const DAY_MS = 86_400_000;

const Params = z.record(z.string(), z.string()).optional();

function param(params: Record<string, string> | undefined, name: string): string {
  const v = params?.[name];
  if (v === undefined || v === '') throw cognitoError('InvalidParameterException', `Missing required parameter ${name}`);
  return v;
}

function incorrect(): Error {
  return cognitoError('NotAuthorizedException', 'Incorrect username or password.');
}

/** USER_PASSWORD_AUTH: the password is checked in constant time; an unknown user costs the same time. */
async function passwordAuth(ctx: UserPoolContext, pool: PoolRecord, client: ClientRecord, params: Record<string, string> | undefined) {
  if (!flowEnabled(client, 'USER_PASSWORD_AUTH')) throw cognitoError('InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client');
  const username = param(params, 'USERNAME');
  const password = param(params, 'PASSWORD');
  checkSecretHash(client, params?.SECRET_HASH, [username]);
  const user = ctx.state.findUser(pool, username);
  if (!user || user.passwordHash === undefined) {
    await burnPasswordCheck(password);
    // PreventUserExistenceErrors=ENABLED hides whether the user exists.
    if (client.preventUserExistenceErrors === 'ENABLED') throw incorrect();
    throw cognitoError('UserNotFoundException', 'User does not exist.');
  }
  if (!(await verifyPassword(password, user.passwordHash))) throw incorrect();
  if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    const validity = pool.policy.TemporaryPasswordValidityDays;
    if (user.temporaryPasswordSetAt !== undefined && ctx.state.clock.now() > user.temporaryPasswordSetAt + validity * DAY_MS) {
      throw cognitoError('NotAuthorizedException', 'Temporary password has expired and must be reset by an administrator.');
    }
    return newPasswordChallenge(ctx, pool, client, user);
  }
  const result = await issueTokens(ctx.state, ctx.issuer(pool.id), pool, client, user);
  await ctx.state.commit();
  return { ChallengeParameters: {}, AuthenticationResult: result };
}

async function newPasswordChallenge(ctx: UserPoolContext, pool: PoolRecord, client: ClientRecord, user: UserRecord) {
  const session = randomToken(96);
  ctx.state.data.sessions[sha256(session)] = {
    poolId: pool.id, clientId: client.clientId, username: user.username, sub: user.sub, expiresAt: ctx.state.clock.now() + SESSION_TTL_MS,
  };
  await ctx.state.commit();
  const attrs = Object.fromEntries(Object.entries(user.attributes));
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: session,
    ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(attrs) },
  };
}

/** REFRESH_TOKEN_AUTH: new access and ID tokens in the original sign-in session; no new refresh token. */
async function refreshAuth(ctx: UserPoolContext, pool: PoolRecord, client: ClientRecord, params: Record<string, string> | undefined) {
  if (!flowEnabled(client, 'REFRESH_TOKEN_AUTH')) throw cognitoError('InvalidParameterException', 'REFRESH_TOKEN_AUTH flow not enabled for this client');
  const rec = redeemRefreshToken(ctx.state, param(params, 'REFRESH_TOKEN'), client);
  // The hash may be computed over the username or the sub (Cognito accepts both for refresh).
  checkSecretHash(client, params?.SECRET_HASH, [rec.username, rec.sub]);
  const user = ctx.state.findUser(pool, rec.username);
  if (!user || user.sub !== rec.sub) throw cognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
  return { ChallengeParameters: {}, AuthenticationResult: await issueTokens(ctx.state, ctx.issuer(pool.id), pool, client, user, rec) };
}

export const initiateAuth = defineOperation({
  name: 'InitiateAuth',
  signed: false,
  input: z.object({
    AuthFlow: z.string().min(1),
    AuthParameters: Params,
    ClientId: ClientIdSchema,
    ClientMetadata: Params,
  }),
  async handle(ctx, input) {
    const { pool, client } = ctx.state.clientAnywhere(input.ClientId);
    switch (input.AuthFlow) {
      case 'USER_PASSWORD_AUTH':
        return passwordAuth(ctx, pool, client, input.AuthParameters);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return refreshAuth(ctx, pool, client, input.AuthParameters);
      default:
        throw cognitoError('InvalidParameterException', `Auth flow ${input.AuthFlow} is not supported by the user-pool emulator; use USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH.`);
    }
  },
});

export const respondToAuthChallenge = defineOperation({
  name: 'RespondToAuthChallenge',
  signed: false,
  input: z.object({
    ClientId: ClientIdSchema,
    ChallengeName: z.string().min(1),
    Session: z.string().min(1).max(4096).optional(),
    ChallengeResponses: Params,
    ClientMetadata: Params,
  }),
  async handle(ctx, input) {
    const { pool, client } = ctx.state.clientAnywhere(input.ClientId);
    if (input.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
      throw cognitoError('InvalidParameterException', `Challenge ${input.ChallengeName} is not supported by the user-pool emulator.`);
    }
    if (input.Session === undefined) throw cognitoError('InvalidParameterException', 'Missing required parameter Session');
    const username = param(input.ChallengeResponses, 'USERNAME');
    const newPassword = param(input.ChallengeResponses, 'NEW_PASSWORD');
    const key = sha256(input.Session);
    const session = ctx.state.data.sessions[key];
    const invalid = () => cognitoError('NotAuthorizedException', 'Invalid session for the user.');
    if (!session || session.clientId !== client.clientId || session.poolId !== pool.id) throw invalid();
    if (session.expiresAt <= ctx.state.clock.now()) throw cognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    if (username !== session.username && username !== session.sub) throw invalid();
    checkSecretHash(client, input.ChallengeResponses?.SECRET_HASH, [username]);
    const user = ctx.state.findUser(pool, session.username);
    if (!user || user.sub !== session.sub || user.status !== 'FORCE_CHANGE_PASSWORD') throw invalid();
    await setPassword(ctx, pool, user, newPassword, true);
    delete ctx.state.data.sessions[key];
    const result = await issueTokens(ctx.state, ctx.issuer(pool.id), pool, client, user);
    await ctx.state.commit();
    return { ChallengeParameters: {}, AuthenticationResult: result };
  },
});

export const getUser = defineOperation({
  name: 'GetUser',
  signed: false,
  input: z.object({ AccessToken: z.string().min(1) }),
  async handle(ctx, input) {
    const { user } = await verifyAccessToken(ctx.state, ctx.issuer, input.AccessToken);
    return { Username: user.username, UserAttributes: attributeList(user) };
  },
});
