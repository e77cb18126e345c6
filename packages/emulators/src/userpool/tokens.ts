import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { epochSeconds, randomToken, uuid } from '@mandate/core';
import { cognitoError } from './errors.ts';
import type { ClientRecord, PoolRecord, RefreshRecord, TokenUnit, UserRecord } from './model.ts';
import { sha256, type UserPoolState } from './state.ts';

const UNIT_SECONDS: Record<TokenUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export const lifetimeSeconds = (value: number, unit: TokenUnit): number => value * UNIT_SECONDS[unit];

/** The one scope Cognito puts in access tokens from InitiateAuth; it is what GetUser requires. */
export const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

export interface AuthenticationResult {
  AccessToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
  /** Absent only for hosted sign-in grants without the `openid` scope (as in Cognito). */
  IdToken?: string;
  RefreshToken?: string;
}

/** What a hosted sign-in (authorization code) grants: its scopes and the client's nonce. */
export interface HostedGrant {
  scope: string;
  nonce?: string | undefined;
  /** When the user signed in on the page (epoch seconds). */
  authTime: number;
}

/** OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url. */
const atHash = (accessToken: string): string => createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

/** The session a set of tokens belongs to: fixed at sign-in and carried through refreshes, as in Cognito. */
interface AuthSession {
  originJti: string;
  eventId: string;
  authTime: number;
}

/**
 * Mints Cognito-shaped tokens. Access tokens carry `client_id` and no `aud` (RFC 9068 would put the
 * resource in `aud`; Cognito does not), ID tokens carry `aud` = client id. A new refresh token is
 * returned only on sign-in, not on refresh (no rotation), matching Cognito's default.
 *
 * InitiateAuth sessions carry the admin scope; hosted sign-in sessions (`grant`, or a refresh of one)
 * carry the granted scopes, an ID token only with `openid`, `at_hash`, and the client's `nonce` once.
 */
export async function issueTokens(
  state: UserPoolState, issuer: string, pool: PoolRecord, client: ClientRecord, user: UserRecord, from?: RefreshRecord, grant?: HostedGrant,
): Promise<AuthenticationResult> {
  const nowMs = state.clock.now();
  const iat = epochSeconds(nowMs);
  const session: AuthSession = from ?? { originJti: uuid(), eventId: uuid(), authTime: grant?.authTime ?? iat };
  const key = await state.keys.signing(pool.signingKey);
  const header = { alg: 'RS256', kid: pool.signingKey.kid! };
  const accessTtl = lifetimeSeconds(client.accessTokenValidity, client.units.AccessToken);
  const idTtl = lifetimeSeconds(client.idTokenValidity, client.units.IdToken);
  const hostedScope = grant?.scope ?? from?.scope;
  const withId = hostedScope === undefined || hostedScope.split(' ').includes('openid');

  const accessP = new SignJWT({
    sub: user.sub,
    iss: issuer,
    client_id: client.clientId,
    origin_jti: session.originJti,
    event_id: session.eventId,
    token_use: 'access',
    scope: hostedScope ?? ADMIN_SCOPE,
    auth_time: session.authTime,
    exp: iat + accessTtl,
    iat,
    jti: uuid(),
    username: user.username,
  }).setProtectedHeader(header).sign(key);

  const idClaims: Record<string, unknown> = {
    sub: user.sub,
    email_verified: user.attributes.email_verified === 'true',
    iss: issuer,
    'cognito:username': user.username,
    origin_jti: session.originJti,
    aud: client.clientId,
    event_id: session.eventId,
    token_use: 'id',
    auth_time: session.authTime,
    exp: iat + idTtl,
    iat,
    jti: uuid(),
  };
  if (user.attributes.email !== undefined) idClaims.email = user.attributes.email;
  if (hostedScope !== undefined) idClaims.at_hash = atHash(await accessP);
  if (grant?.nonce !== undefined) idClaims.nonce = grant.nonce;
  // Signed concurrently with the access token unless at_hash needs the access token first.
  const idP = withId ? new SignJWT(idClaims).setProtectedHeader(header).sign(key) : undefined;

  const result: AuthenticationResult = { AccessToken: await accessP, ExpiresIn: accessTtl, TokenType: 'Bearer' };
  if (idP) result.IdToken = await idP;
  if (!from) {
    const refresh = randomToken(64);
    state.data.refreshTokens[sha256(refresh)] = {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      sub: user.sub,
      ...session,
      ...(grant ? { scope: grant.scope } : {}),
      expiresAt: nowMs + lifetimeSeconds(client.refreshTokenValidity, client.units.RefreshToken) * 1000,
    };
    result.RefreshToken = refresh;
  }
  return result;
}

/** Looks up a refresh token by its hash; unknown, expired, or another client's token all fail closed. */
export function redeemRefreshToken(state: UserPoolState, token: string, client: ClientRecord): RefreshRecord {
  const rec = state.data.refreshTokens[sha256(token)];
  if (!rec || rec.clientId !== client.clientId) throw cognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  if (rec.expiresAt <= state.clock.now()) throw cognitoError('NotAuthorizedException', 'Refresh Token has expired');
  return rec;
}

/**
 * Verifies an access token the way GetUser does: signature with the issuing pool's key, `iss`,
 * expiry, `token_use`, and one of `acceptedScopes` (GetUser: the admin scope; userInfo: also `openid`);
 * then the user must still exist with the same `sub`.
 */
export async function verifyAccessToken(
  state: UserPoolState, issuerOf: (poolId: string) => string, token: string, acceptedScopes: readonly string[] = [ADMIN_SCOPE],
): Promise<{ pool: PoolRecord; user: UserRecord; scopes: string[] }> {
  const invalid = () => cognitoError('NotAuthorizedException', 'Invalid Access Token');
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    throw invalid();
  }
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  const poolId = iss.slice(iss.lastIndexOf('/') + 1);
  const pool = Object.hasOwn(state.data.pools, poolId) ? state.data.pools[poolId]! : undefined;
  if (!pool) throw invalid();
  let payload;
  try {
    ({ payload } = await jwtVerify(token, await state.keys.verifying(pool.signingKey), {
      issuer: issuerOf(pool.id),
      algorithms: ['RS256'],
      currentDate: new Date(state.clock.now()),
      requiredClaims: ['exp', 'sub', 'username', 'token_use'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw cognitoError('NotAuthorizedException', 'Access Token has expired');
    throw invalid();
  }
  if (payload.token_use !== 'access') throw invalid();
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (!scopes.some((sc) => acceptedScopes.includes(sc))) {
    throw cognitoError('NotAuthorizedException', 'Access Token does not have required scopes');
  }
  const user = state.findUser(pool, String(payload.username));
  if (!user || user.sub !== payload.sub) throw cognitoError('UserNotFoundException', 'User does not exist.');
  if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
  return { pool, user, scopes };
}

/**
 * SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)). Compared in
 * constant time. `usernames` lists the accepted names (refresh may be hashed over the username or sub).
 */
export function checkSecretHash(client: ClientRecord, given: string | undefined, usernames: string[]): void {
  if (client.clientSecret === undefined) return;
  if (given === undefined) throw cognitoError('NotAuthorizedException', `Client ${client.clientId} is configured for secret but secret was not received`);
  const got = Buffer.from(given);
  for (const name of usernames) {
    const want = Buffer.from(createHmac('sha256', client.clientSecret).update(name + client.clientId).digest('base64'));
    if (want.length === got.length && timingSafeEqual(want, got)) return;
  }
  throw cognitoError('NotAuthorizedException', `Unable to verify secret hash for client ${client.clientId}`);
}
