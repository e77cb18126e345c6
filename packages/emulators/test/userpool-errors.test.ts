import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand, AdminDeleteUserCommand, AdminGetUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand,
  CreateUserPoolCommand, DescribeUserPoolClientCommand, DescribeUserPoolCommand, GetUserCommand, InitiateAuthCommand,
  ListUserPoolsCommand, ListUsersCommand, RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '@mandate/core';
import { startUserPoolEmulator, type UserPoolEmulator } from '../src/userpool/index.ts';
import { failure, sdkClient, secretHash, STRONG } from './userpool-helpers.ts';

const clock = new ManualClock();
let emu: UserPoolEmulator;
let cognito: ReturnType<typeof sdkClient>;
let poolId: string;
let clientId: string;
let secretClient: { id: string; secret: string };

/** Asserts the SDK raised exactly this exception class, message and HTTP status. */
async function rejects(p: Promise<unknown>, name: string, message: string, status: number): Promise<void> {
  const err = await failure(() => p);
  assert.equal(err.name, name, `${err.name}: ${err.message}`);
  assert.equal(err.message, message);
  assert.equal(err.$metadata?.httpStatusCode, status);
}

const signIn = (USERNAME: string, PASSWORD: string, id = clientId, extra: Record<string, string> = {}) =>
  cognito.send(new InitiateAuthCommand({ ClientId: id, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD, ...extra } }));

before(async () => {
  emu = await startUserPoolEmulator({ clock });
  cognito = sdkClient(emu.url);
  poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'Errors' }))).UserPool!.Id!;
  clientId = (await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'App', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient!.ClientId!;
  const sc = (await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'Secret', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient!;
  secretClient = { id: sc.ClientId!, secret: sc.ClientSecret! };
  await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'SUPPRESS' }));
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: STRONG, Permanent: true }));
});

after(async () => {
  cognito.destroy();
  await emu.close();
});

test('ResourceNotFoundException: unknown pool or client', async () => {
  await rejects(cognito.send(new DescribeUserPoolCommand({ UserPoolId: 'us-west-2_Missing00' })), 'ResourceNotFoundException', 'User pool us-west-2_Missing00 does not exist.', 404);
  await rejects(cognito.send(new CreateUserPoolClientCommand({ UserPoolId: 'us-west-2_Missing00', ClientName: 'x' })), 'ResourceNotFoundException', 'User pool us-west-2_Missing00 does not exist.', 404);
  await rejects(cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'abcdefghijklmnopqrstuvwxyz' })), 'ResourceNotFoundException', 'User pool client abcdefghijklmnopqrstuvwxyz does not exist.', 404);
  await rejects(signIn('alice', STRONG, 'abcdefghijklmnopqrstuvwxyz'), 'ResourceNotFoundException', 'User pool client abcdefghijklmnopqrstuvwxyz does not exist.', 404);
  await rejects(cognito.send(new AdminGetUserCommand({ UserPoolId: 'us-west-2_Missing00', Username: 'alice' })), 'ResourceNotFoundException', 'User pool us-west-2_Missing00 does not exist.', 404);
});

test('UserNotFoundException: unknown users (and NotAuthorizedException when existence errors are prevented)', async () => {
  await rejects(cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'nobody' })), 'UserNotFoundException', 'User does not exist.', 404);
  await rejects(cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'nobody', Password: STRONG, Permanent: true })), 'UserNotFoundException', 'User does not exist.', 404);
  await rejects(cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'nobody' })), 'UserNotFoundException', 'User does not exist.', 404);
  await rejects(signIn('nobody', STRONG), 'UserNotFoundException', 'User does not exist.', 404);
  const hidden = (await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'Hidden', PreventUserExistenceErrors: 'ENABLED', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
  }))).UserPoolClient!.ClientId!;
  await rejects(signIn('nobody', STRONG, hidden), 'NotAuthorizedException', 'Incorrect username or password.', 403);
});

test('NotAuthorizedException: wrong password, secret hash, refresh token', async () => {
  await rejects(signIn('alice', 'Wrong-Pass-1'), 'NotAuthorizedException', 'Incorrect username or password.', 403);
  await rejects(signIn('alice', STRONG, secretClient.id), 'NotAuthorizedException', `Client ${secretClient.id} is configured for secret but secret was not received`, 403);
  await rejects(signIn('alice', STRONG, secretClient.id, { SECRET_HASH: secretHash('alice', secretClient.id, 'not-the-secret') }), 'NotAuthorizedException', `Unable to verify secret hash for client ${secretClient.id}`, 403);
  await rejects(signIn('alice', STRONG, secretClient.id, { SECRET_HASH: secretHash('bob', secretClient.id, secretClient.secret) }), 'NotAuthorizedException', `Unable to verify secret hash for client ${secretClient.id}`, 403);

  const refresh = (await signIn('alice', STRONG)).AuthenticationResult!.RefreshToken!;
  const viaRefresh = (token: string, id = clientId, extra: Record<string, string> = {}) =>
    cognito.send(new InitiateAuthCommand({ ClientId: id, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token, ...extra } }));
  await rejects(viaRefresh('not-a-refresh-token'), 'NotAuthorizedException', 'Invalid Refresh Token', 403);
  await rejects(viaRefresh(refresh.slice(0, -2) + (refresh.endsWith('AA') ? 'BB' : 'AA')), 'NotAuthorizedException', 'Invalid Refresh Token', 403);
  // A refresh token is bound to the client it was issued to.
  await rejects(viaRefresh(refresh, secretClient.id, { SECRET_HASH: secretHash('alice', secretClient.id, secretClient.secret) }), 'NotAuthorizedException', 'Invalid Refresh Token', 403);
});

test('NotAuthorizedException: GetUser with bad, foreign, ID or expired tokens; expired refresh tokens', async () => {
  const r = (await signIn('alice', STRONG)).AuthenticationResult!;
  await rejects(cognito.send(new GetUserCommand({ AccessToken: 'garbage' })), 'NotAuthorizedException', 'Invalid Access Token', 403);
  await rejects(cognito.send(new GetUserCommand({ AccessToken: r.IdToken! })), 'NotAuthorizedException', 'Invalid Access Token', 403);
  const [h, p, s] = r.AccessToken!.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), username: 'mallory' })).toString('base64url');
  await rejects(cognito.send(new GetUserCommand({ AccessToken: `${h}.${forged}.${s}` })), 'NotAuthorizedException', 'Invalid Access Token', 403);
  // A token from another pool does not verify against this pool's key even with this pool's issuer.
  const other = await startUserPoolEmulator({ clock, issuerBase: emu.url });
  try {
    const oc = sdkClient(other.url);
    const op = (await oc.send(new CreateUserPoolCommand({ PoolName: 'Other' }))).UserPool!.Id!;
    const ocl = (await oc.send(new CreateUserPoolClientCommand({ UserPoolId: op, ClientName: 'c', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
    await oc.send(new AdminCreateUserCommand({ UserPoolId: op, Username: 'alice', TemporaryPassword: STRONG }));
    await oc.send(new AdminSetUserPasswordCommand({ UserPoolId: op, Username: 'alice', Password: STRONG, Permanent: true }));
    const foreign = (await oc.send(new InitiateAuthCommand({ ClientId: ocl, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: STRONG } }))).AuthenticationResult!.AccessToken!;
    const [fh, fp, fs] = foreign.split('.');
    const retargeted = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(fp!, 'base64url').toString()), iss: `${emu.url}/${poolId}` })).toString('base64url');
    await rejects(cognito.send(new GetUserCommand({ AccessToken: foreign })), 'NotAuthorizedException', 'Invalid Access Token', 403);
    await rejects(cognito.send(new GetUserCommand({ AccessToken: `${fh}.${retargeted}.${fs}` })), 'NotAuthorizedException', 'Invalid Access Token', 403);
    oc.destroy();
  } finally {
    await other.close();
  }

  clock.advance(3600_000 + 1000);
  await rejects(cognito.send(new GetUserCommand({ AccessToken: r.AccessToken! })), 'NotAuthorizedException', 'Access Token has expired', 403);
  // The refresh token outlives the access token ...
  const again = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken! } }));
  assert.equal((await cognito.send(new GetUserCommand({ AccessToken: again.AuthenticationResult!.AccessToken! }))).Username, 'alice');
  // ... for 30 days.
  clock.advance(30 * 86_400_000);
  await rejects(
    cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken! } })),
    'NotAuthorizedException', 'Refresh Token has expired', 403,
  );
});

test('NEW_PASSWORD_REQUIRED: bad, foreign and expired sessions; expired temporary passwords', async () => {
  await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'temp', TemporaryPassword: 'Temp-Pass-123' }));
  const first = await signIn('temp', 'Temp-Pass-123');
  assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  const respond = (Session: string | undefined, USERNAME = 'temp', NEW_PASSWORD = STRONG, id = clientId) =>
    cognito.send(new RespondToAuthChallengeCommand({ ClientId: id, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session, ChallengeResponses: { USERNAME, NEW_PASSWORD } }));
  await rejects(respond('bogus-session'), 'NotAuthorizedException', 'Invalid session for the user.', 403);
  await rejects(respond(first.Session, 'alice'), 'NotAuthorizedException', 'Invalid session for the user.', 403);
  await rejects(respond(first.Session, 'temp', STRONG, secretClient.id), 'NotAuthorizedException', 'Invalid session for the user.', 403);
  await rejects(respond(first.Session, 'temp', 'short'), 'InvalidPasswordException', 'Password did not conform with policy: Password not long enough', 400);
  await rejects(respond(undefined), 'InvalidParameterException', 'Missing required parameter Session', 400);
  await rejects(
    cognito.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'SMS_MFA', Session: first.Session, ChallengeResponses: {} })),
    'InvalidParameterException', 'Challenge SMS_MFA is not supported by the user-pool emulator.', 400,
  );
  // The failed attempts changed nothing: the user still has to change the temporary password.
  assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'temp' }))).UserStatus, 'FORCE_CHANGE_PASSWORD');
  clock.advance(3 * 60_000 + 1);
  await rejects(respond(first.Session), 'NotAuthorizedException', 'Invalid session for the user, session is expired.', 403);
  clock.advance(7 * 86_400_000);
  await rejects(signIn('temp', 'Temp-Pass-123'), 'NotAuthorizedException', 'Temporary password has expired and must be reset by an administrator.', 403);
});

test('InvalidParameterException: input validation, disabled flows, unsupported flows, filters, attributes', async () => {
  await rejects(cognito.send(new DescribeUserPoolCommand({ UserPoolId: 'not a pool id' })), 'InvalidParameterException',
    "1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+", 400);
  await rejects(cognito.send(new CreateUserPoolCommand({} as never)), 'InvalidParameterException',
    "1 validation error detected: Value at 'poolName' failed to satisfy constraint: Member must not be null", 400);
  await rejects(cognito.send(new ListUserPoolsCommand({ MaxResults: 61 })), 'InvalidParameterException',
    "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60", 400);
  await rejects(cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Bad', ExplicitAuthFlows: ['ALLOW_EVERYTHING' as never] })), 'InvalidParameterException',
    "1 validation error detected: Value at 'explicitAuthFlows.0' failed to satisfy constraint: Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]", 400);
  const srpOnly = (await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Srp' }))).UserPoolClient!.ClientId!;
  await rejects(signIn('alice', STRONG, srpOnly), 'InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client', 400);
  const noRefresh = (await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'NoRefresh', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
  await rejects(cognito.send(new InitiateAuthCommand({ ClientId: noRefresh, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: 'x' } })),
    'InvalidParameterException', 'REFRESH_TOKEN_AUTH flow not enabled for this client', 400);
  await rejects(cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { PASSWORD: STRONG } })),
    'InvalidParameterException', 'Missing required parameter USERNAME', 400);
  await rejects(cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice' } })),
    'InvalidParameterException', 'Missing required parameter PASSWORD', 400);
  await rejects(cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'alice', SRP_A: 'ab' } })),
    'InvalidParameterException', 'Auth flow USER_SRP_AUTH is not supported by the user-pool emulator; use USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH.', 400);
  await rejects(cognito.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'password = "x"' })), 'InvalidParameterException', 'Error while parsing filter.', 400);
  await rejects(cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'odd', UserAttributes: [{ Name: 'shoe_size', Value: '9' }] })),
    'InvalidParameterException', 'Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema.', 400);
  await rejects(cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'odd', UserAttributes: [{ Name: 'sub', Value: 'mine' }] })),
    'InvalidParameterException', 'Cannot modify the non-mutable attribute sub', 400);
  await rejects(cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Long', AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } })),
    'InvalidParameterException', 'Invalid range for token validity: AccessTokenValidity must be between 5 minutes and 1 day.', 400);
  await rejects(cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'odd' })), 'UserNotFoundException', 'User does not exist.', 404);
});

test('UsernameExistsException and InvalidPasswordException change nothing', async () => {
  const view = async () => {
    const { $metadata: _, ...rest } = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
    return rest;
  };
  const before = await view();
  await rejects(cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', UserAttributes: [{ Name: 'email', Value: 'x@example.com' }] })),
    'UsernameExistsException', 'User account already exists', 400);
  assert.deepEqual(await view(), before);

  const cases: Array<[string, string]> = [
    ['Sh0rt!', 'Password not long enough'],
    ['ALLUPPER-123', 'Password must have lowercase characters'],
    ['alllower-123', 'Password must have uppercase characters'],
    ['NoNumbers-here', 'Password must have numeric characters'],
    ['NoSymbols123', 'Password must have symbol characters'],
  ];
  for (const [pw, why] of cases) {
    await rejects(cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: pw, Permanent: true })),
      'InvalidPasswordException', `Password did not conform with policy: ${why}`, 400);
  }
  await rejects(cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'weak', TemporaryPassword: 'weak' })),
    'InvalidPasswordException', 'Password did not conform with policy: Password not long enough', 400);
  await rejects(cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'weak' })), 'UserNotFoundException', 'User does not exist.', 404);
  // alice's password is unchanged.
  assert.ok((await signIn('alice', STRONG)).AuthenticationResult!.AccessToken);
});

test('raw protocol: Authorization required on admin operations only; unknown operations and bad JSON', async () => {
  const call = (target: string, body: string, headers: Record<string, string> = {}) => fetch(emu.url, {
    method: 'POST', body, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...headers },
  });
  const unsigned = await call('AWSCognitoIdentityProviderService.ListUserPools', '{"MaxResults":10}');
  assert.equal(unsigned.status, 400);
  assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  assert.deepEqual(await unsigned.json(), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  const bearer = await call('AWSCognitoIdentityProviderService.AdminGetUser', JSON.stringify({ UserPoolId: poolId, Username: 'alice' }), { authorization: 'Bearer x' });
  assert.deepEqual(await bearer.json(), { __type: 'IncompleteSignatureException', message: 'The Authorization header is not an AWS Signature Version 4 header.' });
  // Any SigV4-shaped header is accepted: the emulator does not verify admin credentials.
  const anySig = await call('AWSCognitoIdentityProviderService.AdminGetUser', JSON.stringify({ UserPoolId: poolId, Username: 'alice' }),
    { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-west-2/cognito-idp/aws4_request, SignedHeaders=host, Signature=00' });
  assert.equal(anySig.status, 200);
  assert.equal(anySig.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.equal(((await anySig.json()) as { Username: string }).Username, 'alice');
  // InitiateAuth is unauthenticated, as in Cognito.
  const open = await call('AWSCognitoIdentityProviderService.InitiateAuth', JSON.stringify({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: STRONG } }));
  assert.equal(open.status, 200);
  assert.equal(((await open.json()) as { AuthenticationResult: { TokenType: string } }).AuthenticationResult.TokenType, 'Bearer');

  const unknown = await call('AWSCognitoIdentityProviderService.AdminDisableUser', '{}');
  assert.equal(unknown.status, 400);
  assert.deepEqual(await unknown.json(), { __type: 'UnknownOperationException', message: 'Operation AWSCognitoIdentityProviderService.AdminDisableUser is not supported by the user-pool emulator.' });
  const badJson = await call('AWSCognitoIdentityProviderService.InitiateAuth', '{"ClientId":');
  assert.equal(badJson.status, 400);
  assert.deepEqual(await badJson.json(), { __type: 'SerializationException', message: 'The request body is not valid JSON.' });
  const wrongType = await call('AWSCognitoIdentityProviderService.InitiateAuth', JSON.stringify({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: 'nope' }));
  assert.equal(wrongType.status, 400);
  assert.deepEqual(await wrongType.json(), {
    __type: 'InvalidParameterException',
    message: "1 validation error detected: Value at 'authParameters' failed to satisfy constraint: Member must be of type record",
  });
  const getRoot = await fetch(emu.url);
  assert.equal(getRoot.status, 405);
  assert.equal(((await getRoot.json()) as { __type: string }).__type, 'MethodNotAllowedException');
});
