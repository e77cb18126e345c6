import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand, AdminDeleteUserCommand, AdminGetUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand,
  CreateUserPoolCommand, DescribeUserPoolClientCommand, DescribeUserPoolCommand, GetUserCommand, InitiateAuthCommand,
  ListUserPoolsCommand, ListUsersCommand, RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startUserPoolEmulator, type UserPoolEmulator } from '../src/userpool/index.ts';
import { sdkClient, secretHash, STRONG, verifyViaDiscovery } from './userpool-helpers.ts';

let emu: UserPoolEmulator;
let cognito: ReturnType<typeof sdkClient>;
let poolId: string;
let clientId: string;

before(async () => {
  emu = await startUserPoolEmulator();
  cognito = sdkClient(emu.url);
  const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: 'DemoUserPool' }));
  poolId = pool.UserPool!.Id!;
  const client = await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'DemoClient', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  clientId = client.UserPoolClient!.ClientId!;
});

after(async () => {
  cognito.destroy();
  await emu.close();
});

test('CreateUserPool / DescribeUserPool / ListUserPools return Cognito-shaped pools', async () => {
  assert.match(poolId, /^us-west-2_[A-Za-z0-9]{9}$/);
  const d = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.equal(d.UserPool!.Id, poolId);
  assert.equal(d.UserPool!.Name, 'DemoUserPool');
  assert.equal(d.UserPool!.Arn, `arn:aws:cognito-idp:us-west-2:000000000000:userpool/${poolId}`);
  assert.deepEqual(d.UserPool!.Policies!.PasswordPolicy, {
    MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7,
  });
  assert.ok(d.UserPool!.CreationDate instanceof Date);
  assert.ok(Math.abs(d.UserPool!.CreationDate!.getTime() - Date.now()) < 60_000);

  const second = await cognito.send(new CreateUserPoolCommand({ PoolName: 'Other', Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: false } } }));
  assert.equal(second.UserPool!.Policies!.PasswordPolicy!.MinimumLength, 12);
  assert.equal(second.UserPool!.Policies!.PasswordPolicy!.RequireSymbols, false);
  const page1 = await cognito.send(new ListUserPoolsCommand({ MaxResults: 1 }));
  assert.equal(page1.UserPools!.length, 1);
  assert.ok(page1.NextToken);
  const page2 = await cognito.send(new ListUserPoolsCommand({ MaxResults: 1, NextToken: page1.NextToken }));
  assert.equal(page2.UserPools!.length, 1);
  assert.equal(page2.NextToken, undefined);
  assert.deepEqual(new Set([page1.UserPools![0]!.Name, page2.UserPools![0]!.Name]), new Set(['DemoUserPool', 'Other']));
});

test('CreateUserPoolClient without and with a secret; DescribeUserPoolClient', async () => {
  assert.match(clientId, /^[a-z0-9]{26}$/);
  const d = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.equal(d.UserPoolClient!.ClientName, 'DemoClient');
  assert.equal(d.UserPoolClient!.ClientSecret, undefined);
  assert.deepEqual(d.UserPoolClient!.ExplicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  assert.equal(d.UserPoolClient!.RefreshTokenValidity, 30);
  assert.deepEqual(d.UserPoolClient!.TokenValidityUnits, { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' });

  const withSecret = await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Confidential', GenerateSecret: true }));
  assert.match(withSecret.UserPoolClient!.ClientSecret!, /^[a-z0-9]{51}$/);
  // Cognito's default flows when none are given.
  assert.deepEqual(withSecret.UserPoolClient!.ExplicitAuthFlows, ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
  const again = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: withSecret.UserPoolClient!.ClientId }));
  assert.equal(again.UserPoolClient!.ClientSecret, withSecret.UserPoolClient!.ClientSecret);
});

test('users: create, set a permanent password, sign in with USER_PASSWORD_AUTH, refresh, GetUser; tokens verify via discovery', async () => {
  const created = await cognito.send(new AdminCreateUserCommand({
    UserPoolId: poolId, Username: 'testuser1', MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'testuser1@example.com' }, { Name: 'email_verified', Value: 'true' }],
  }));
  assert.equal(created.User!.Username, 'testuser1');
  assert.equal(created.User!.UserStatus, 'FORCE_CHANGE_PASSWORD');
  assert.equal(created.User!.Enabled, true);
  const sub = created.User!.Attributes!.find((a) => a.Name === 'sub')!.Value!;
  assert.match(sub, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'testuser1', Password: STRONG, Permanent: true }));
  const got = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'testuser1' }));
  assert.equal(got.UserStatus, 'CONFIRMED');
  assert.deepEqual(got.UserAttributes, [
    { Name: 'sub', Value: sub }, { Name: 'email', Value: 'testuser1@example.com' }, { Name: 'email_verified', Value: 'true' },
  ]);

  const signIn = await cognito.send(new InitiateAuthCommand({
    ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'testuser1', PASSWORD: STRONG },
  }));
  assert.equal(signIn.ChallengeName, undefined);
  const r = signIn.AuthenticationResult!;
  assert.equal(r.ExpiresIn, 3600);
  assert.equal(r.TokenType, 'Bearer');
  assert.ok(r.RefreshToken && r.RefreshToken.length >= 80);

  const discovery = emu.discoveryUrl(poolId);
  assert.equal(discovery, `${emu.url}/${poolId}/.well-known/openid-configuration`);
  const issuer = `${emu.url}/${poolId}`;
  const access = await verifyViaDiscovery(discovery, r.AccessToken!);
  assert.deepEqual(Object.keys(access.header).sort(), ['alg', 'kid']);
  assert.equal(access.header.alg, 'RS256');
  const a = access.payload;
  assert.deepEqual(Object.keys(a).sort(), ['auth_time', 'client_id', 'event_id', 'exp', 'iat', 'iss', 'jti', 'origin_jti', 'scope', 'sub', 'token_use', 'username']);
  assert.equal(a.sub, sub);
  assert.equal(a.iss, issuer);
  assert.equal(a.client_id, clientId);
  assert.equal(a.token_use, 'access');
  assert.equal(a.scope, 'aws.cognito.signin.user.admin');
  assert.equal(a.username, 'testuser1');
  assert.equal(a.exp, a.iat! + 3600);
  assert.equal(a.auth_time, a.iat);
  assert.equal(a.aud, undefined);

  const id = (await verifyViaDiscovery(discovery, r.IdToken!, { audience: clientId })).payload;
  assert.deepEqual(Object.keys(id).sort(), ['aud', 'auth_time', 'cognito:username', 'email', 'email_verified', 'event_id', 'exp', 'iat', 'iss', 'jti', 'origin_jti', 'sub', 'token_use']);
  assert.equal(id.aud, clientId);
  assert.equal(id.token_use, 'id');
  assert.equal(id['cognito:username'], 'testuser1');
  assert.equal(id.email, 'testuser1@example.com');
  assert.equal(id.email_verified, true);
  assert.equal(id.sub, sub);
  assert.equal(id.origin_jti, a.origin_jti);
  assert.equal(id.event_id, a.event_id);
  assert.notEqual(id.jti, a.jti);

  const me = await cognito.send(new GetUserCommand({ AccessToken: r.AccessToken! }));
  assert.equal(me.Username, 'testuser1');
  assert.deepEqual(me.UserAttributes!.find((x) => x.Name === 'email'), { Name: 'email', Value: 'testuser1@example.com' });

  const refreshed = await cognito.send(new InitiateAuthCommand({
    ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken! },
  }));
  const rr = refreshed.AuthenticationResult!;
  assert.equal(rr.RefreshToken, undefined, 'no rotation: Cognito returns no new refresh token');
  assert.equal(rr.ExpiresIn, 3600);
  const a2 = (await verifyViaDiscovery(discovery, rr.AccessToken!)).payload;
  assert.equal(a2.sub, sub);
  assert.equal(a2.client_id, clientId);
  assert.equal(a2.origin_jti, a.origin_jti, 'refresh keeps the sign-in session');
  assert.equal(a2.auth_time, a.auth_time);
  assert.notEqual(a2.jti, a.jti);
  const id2 = (await verifyViaDiscovery(discovery, rr.IdToken!, { audience: clientId })).payload;
  assert.equal(id2['cognito:username'], 'testuser1');
  assert.equal((await cognito.send(new GetUserCommand({ AccessToken: rr.AccessToken! }))).Username, 'testuser1');

  // The published key is the one named in the token header.
  const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
  assert.equal(jwks.keys.length, 1);
  assert.deepEqual(Object.keys(jwks.keys[0]!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  assert.equal(jwks.keys[0]!.kid, decodeProtectedHeader(r.AccessToken!).kid);
});

test('discovery document names the issuer and jwks_uri', async () => {
  const res = await fetch(emu.discoveryUrl(poolId));
  assert.equal(res.status, 200);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc.issuer, `${emu.url}/${poolId}`);
  assert.equal(doc.jwks_uri, `${emu.url}/${poolId}/.well-known/jwks.json`);
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
  const missing = await fetch(`${emu.url}/us-west-2_NoSuchPoo/.well-known/openid-configuration`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { __type: 'ResourceNotFoundException', message: 'User pool us-west-2_NoSuchPoo does not exist.' });
});

test('temporary password → NEW_PASSWORD_REQUIRED → RespondToAuthChallenge signs in', async () => {
  await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'newbie', TemporaryPassword: 'Temp-Pass-123', MessageAction: 'SUPPRESS' }));
  const first = await cognito.send(new InitiateAuthCommand({
    ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'newbie', PASSWORD: 'Temp-Pass-123' },
  }));
  assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  assert.equal(first.AuthenticationResult, undefined);
  assert.deepEqual(first.ChallengeParameters, { USER_ID_FOR_SRP: 'newbie', requiredAttributes: '[]', userAttributes: '{}' });
  assert.ok(first.Session && first.Session.length > 100);

  const done = await cognito.send(new RespondToAuthChallengeCommand({
    ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session,
    ChallengeResponses: { USERNAME: 'newbie', NEW_PASSWORD: STRONG },
  }));
  const idClaims = decodeJwt(done.AuthenticationResult!.IdToken!);
  assert.equal(idClaims.email_verified, false);
  assert.equal(idClaims.email, undefined);
  assert.equal(idClaims['cognito:username'], 'newbie');
  assert.ok(done.AuthenticationResult!.AccessToken);
  assert.ok(done.AuthenticationResult!.RefreshToken);
  assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'newbie' }))).UserStatus, 'CONFIRMED');
  const second = await cognito.send(new InitiateAuthCommand({
    ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'newbie', PASSWORD: STRONG },
  }));
  assert.ok(second.AuthenticationResult!.IdToken);
  // Permanent: false also forces a change.
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'newbie', Password: 'Reset-Pass-456', Permanent: false }));
  const third = await cognito.send(new InitiateAuthCommand({
    ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'newbie', PASSWORD: 'Reset-Pass-456' },
  }));
  assert.equal(third.ChallengeName, 'NEW_PASSWORD_REQUIRED');
});

test('a client with a secret signs in with SECRET_HASH (password and refresh)', async () => {
  const c = (await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'WithSecret', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient!;
  await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'secretive', MessageAction: 'SUPPRESS' }));
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'secretive', Password: STRONG, Permanent: true }));
  const hash = secretHash('secretive', c.ClientId!, c.ClientSecret!);
  const r = (await cognito.send(new InitiateAuthCommand({
    ClientId: c.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'secretive', PASSWORD: STRONG, SECRET_HASH: hash },
  }))).AuthenticationResult!;
  assert.equal(decodeJwt(r.AccessToken!).client_id, c.ClientId);
  const rr = (await cognito.send(new InitiateAuthCommand({
    ClientId: c.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken!, SECRET_HASH: hash },
  }))).AuthenticationResult!;
  assert.equal(decodeJwt(rr.AccessToken!).username, 'secretive');
});

test('ListUsers pages, filters and selects attributes; AdminDeleteUser removes the user and their refresh tokens', async () => {
  for (const n of ['list-a', 'list-b', 'list-c']) {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: n, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${n}@example.org` }] }));
  }
  const filtered = await cognito.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email ^= "list-"', Limit: 2 }));
  assert.deepEqual(filtered.Users!.map((u) => u.Username), ['list-a', 'list-b']);
  assert.ok(filtered.PaginationToken);
  const rest = await cognito.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email ^= "list-"', Limit: 2, PaginationToken: filtered.PaginationToken }));
  assert.deepEqual(rest.Users!.map((u) => u.Username), ['list-c']);
  assert.equal(rest.PaginationToken, undefined);
  const exact = await cognito.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "list-b"', AttributesToGet: ['email'] }));
  assert.equal(exact.Users!.length, 1);
  assert.deepEqual(exact.Users![0]!.Attributes, [{ Name: 'email', Value: 'list-b@example.org' }]);

  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'list-a', Password: STRONG, Permanent: true }));
  const r = (await cognito.send(new InitiateAuthCommand({
    ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'list-a', PASSWORD: STRONG },
  }))).AuthenticationResult!;
  await cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'list-a' }));
  const all = await cognito.send(new ListUsersCommand({ UserPoolId: poolId }));
  assert.equal(all.Users!.some((u) => u.Username === 'list-a'), false);
  await assert.rejects(
    cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken! } })),
    { name: 'NotAuthorizedException', message: 'Invalid Refresh Token' },
  );
  await assert.rejects(cognito.send(new GetUserCommand({ AccessToken: r.AccessToken! })), { name: 'UserNotFoundException', message: 'User does not exist.' });
});
