import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateUserPoolClientCommand, CreateUserPoolCommand, DescribeUserPoolClientCommand, ListUserPoolsCommand, UpdateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startUserPoolEmulator, type UserPoolEmulator } from '../src/userpool/index.ts';
import { failure, sdkClient } from './userpool-helpers.ts';

let emu: UserPoolEmulator;
let cognito: ReturnType<typeof sdkClient>;
let poolId: string;

before(async () => {
  emu = await startUserPoolEmulator();
  cognito = sdkClient(emu.url);
  poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'Settings' }))).UserPool!.Id!;
});

after(async () => {
  cognito.destroy();
  await emu.close();
});

const hosted = {
  AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code' as const], AllowedOAuthScopes: ['openid'],
  CallbackURLs: ['https://app.example.com/cb'], SupportedIdentityProviders: ['COGNITO'],
};

async function refused(input: Partial<CreateUserPoolClientCommandInput>, name: string, message: string): Promise<void> {
  const before = emu.poolByName('Settings')!.clients.length;
  const err = await failure(() => cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Bad', ...input })));
  assert.equal(err.name, name, err.message);
  assert.equal(err.message, message);
  assert.equal(err.$metadata?.httpStatusCode, 400);
  assert.equal(emu.poolByName('Settings')!.clients.length, before, 'a refused request creates nothing');
}

test('CreateUserPoolClient validates CallbackURLs like Cognito', async () => {
  const bad = (url: string, why: string) => refused({ ...hosted, CallbackURLs: [url] }, 'InvalidParameterException', `Invalid CallbackURLs value ${JSON.stringify(url)}: ${why}`);
  await bad('http://app.example.com/cb', 'HTTP is allowed only for localhost, 127.0.0.1 and [::1]; use HTTPS.');
  await bad('https://app.example.com/cb#frag', 'it must not contain a fragment (RFC 6749 §3.1.2).');
  await bad('/relative/cb', 'it must be an absolute URL.');
  await bad('javascript:alert(1)', 'the javascript: scheme is not allowed.');
  await bad('data:text/html,hi', 'the data: scheme is not allowed.');
  await bad('https://user:pw@app.example.com/cb', 'it must not contain user information.');
  await refused({ ...hosted, LogoutURLs: ['http://app.example.com/bye'] }, 'InvalidParameterException',
    'Invalid LogoutURLs value "http://app.example.com/bye": HTTP is allowed only for localhost, 127.0.0.1 and [::1]; use HTTPS.');
  await refused({ ...hosted, CallbackURLs: [] }, 'InvalidOAuthFlowException', 'CallbackUrls can not be empty when code flow or implicit flow is selected');
  await refused({ ...hosted, CallbackURLs: undefined, AllowedOAuthFlows: ['implicit'] }, 'InvalidOAuthFlowException', 'CallbackUrls can not be empty when code flow or implicit flow is selected');
  const bigList = await failure(() => cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Bad', ...hosted, CallbackURLs: [`https://x.example/${'a'.repeat(1030)}`] })));
  assert.equal(bigList.name, 'InvalidParameterException');
  assert.match(bigList.message, /^1 validation error detected: Value at 'callbackURLs\.0' failed to satisfy constraint: Member must have length less than or equal to 1024$/);

  const ok = await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'Good', ...hosted,
    CallbackURLs: ['https://app.example.com/cb', 'http://localhost:3000/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]:8080/cb', 'myapp://callback'],
    LogoutURLs: ['https://app.example.com/bye'],
  }));
  assert.deepEqual(ok.UserPoolClient!.CallbackURLs, ['https://app.example.com/cb', 'http://localhost:3000/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]:8080/cb', 'myapp://callback']);
  assert.deepEqual(ok.UserPoolClient!.LogoutURLs, ['https://app.example.com/bye']);
});

test('CreateUserPoolClient validates flows, scopes and identity providers like Cognito', async () => {
  await refused({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ['openid'], CallbackURLs: ['https://a.example/cb'] }, 'InvalidParameterException',
    'AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.');
  await refused({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], CallbackURLs: ['https://a.example/cb'] }, 'InvalidParameterException',
    'AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.');
  await refused({ ...hosted, AllowedOAuthFlowsUserPoolClient: false }, 'InvalidParameterException',
    'AllowedOAuthFlowsUserPoolClient must be true to set CallbackURLs, LogoutURLs or AllowedOAuthFlows.');
  await refused({ ...hosted, AllowedOAuthFlowsUserPoolClient: undefined }, 'InvalidParameterException',
    'AllowedOAuthFlowsUserPoolClient must be true to set CallbackURLs, LogoutURLs or AllowedOAuthFlows.');
  await refused({ ...hosted, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['api/read'], CallbackURLs: undefined }, 'InvalidOAuthFlowException',
    'client_credentials flow can not be selected if client does not have a client secret.');
  await refused({ ...hosted, GenerateSecret: true, AllowedOAuthFlows: ['code', 'client_credentials'] }, 'InvalidOAuthFlowException',
    'client_credentials flow can not be selected along with code flow or implicit flow.');
  await refused({ ...hosted, AllowedOAuthScopes: ['openid', 'Cognito'] }, 'ScopeDoesNotExistException', 'Invalid scope requested: Cognito');
  await refused({ ...hosted, SupportedIdentityProviders: ['COGNITO', 'Google'] }, 'InvalidParameterException', `The provider Google does not exist for User Pool ${poolId}`);
  const flow = await failure(() => cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Bad', ...hosted, AllowedOAuthFlows: ['password' as 'code'] })));
  assert.equal(flow.name, 'InvalidParameterException');
  assert.equal(flow.message, "1 validation error detected: Value at 'allowedOAuthFlows.0' failed to satisfy constraint: Member must satisfy enum value set: [code, implicit, client_credentials]");

  const m2m = await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'M2M', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['weather/read'],
  }));
  assert.deepEqual(m2m.UserPoolClient!.AllowedOAuthFlows, ['client_credentials']);
  assert.deepEqual(m2m.UserPoolClient!.AllowedOAuthScopes, ['weather/read']);
  // Scopes alone may sit on a client that does not use OAuth yet.
  const later = await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Later', AllowedOAuthScopes: ['openid', 'profile'] }));
  assert.equal(later.UserPoolClient!.AllowedOAuthFlowsUserPoolClient, false);
  assert.deepEqual(later.UserPoolClient!.AllowedOAuthScopes, ['openid', 'profile']);
  assert.equal(later.UserPoolClient!.CallbackURLs, undefined);
});

test('DescribeUserPoolClient returns the OAuth settings; UpdateUserPoolClient replaces them and resets what it omits', async () => {
  const created = await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'Web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...hosted,
    AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
  }));
  const clientId = created.UserPoolClient!.ClientId!;
  const d = (await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
  assert.equal(d.AllowedOAuthFlowsUserPoolClient, true);
  assert.deepEqual(d.AllowedOAuthFlows, ['code']);
  assert.deepEqual(d.AllowedOAuthScopes, ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin']);
  assert.deepEqual(d.CallbackURLs, ['https://app.example.com/cb']);
  assert.deepEqual(d.SupportedIdentityProviders, ['COGNITO']);
  assert.equal(d.LogoutURLs, undefined);

  const updated = await cognito.send(new UpdateUserPoolClientCommand({
    UserPoolId: poolId, ClientId: clientId, ...hosted, CallbackURLs: ['https://app.example.com/cb', 'http://localhost:5173/cb'],
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], AccessTokenValidity: 30,
  }));
  assert.equal(updated.UserPoolClient!.ClientName, 'Web');
  assert.equal(updated.UserPoolClient!.ClientId, clientId);
  assert.deepEqual(updated.UserPoolClient!.CallbackURLs, ['https://app.example.com/cb', 'http://localhost:5173/cb']);
  assert.deepEqual(updated.UserPoolClient!.AllowedOAuthScopes, ['openid']);
  assert.equal(updated.UserPoolClient!.AccessTokenValidity, 30);

  // A refused update changes nothing.
  const err = await failure(() => cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, ...hosted, CallbackURLs: ['http://evil.example/cb'] })));
  assert.equal(err.name, 'InvalidParameterException');
  const same = (await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
  assert.deepEqual(same.CallbackURLs, ['https://app.example.com/cb', 'http://localhost:5173/cb']);
  assert.equal(same.AccessTokenValidity, 30);

  // As in Cognito, what an update leaves out goes back to its default.
  const reset = await cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, ClientName: 'Web2' }));
  const r = reset.UserPoolClient!;
  assert.equal(r.ClientName, 'Web2');
  assert.equal(r.AllowedOAuthFlowsUserPoolClient, false);
  assert.equal(r.CallbackURLs, undefined);
  assert.equal(r.AllowedOAuthFlows, undefined);
  assert.equal(r.AllowedOAuthScopes, undefined);
  assert.equal(r.SupportedIdentityProviders, undefined);
  assert.deepEqual(r.ExplicitAuthFlows, ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
  assert.equal(r.AccessTokenValidity, 60);
  assert.ok(r.LastModifiedDate! >= r.CreationDate!);

  const missing = await failure(() => cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nosuchclient0000000000000' })));
  assert.equal(missing.name, 'ResourceNotFoundException');
  assert.equal(missing.message, 'User pool client nosuchclient0000000000000 does not exist.');
});

test('addCallbackUrl (in-process) turns the code flow on once and is idempotent; a bad URL is refused', async () => {
  const c = await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'Console' }));
  const clientId = c.UserPoolClient!.ClientId!;
  await emu.addCallbackUrl(poolId, clientId, 'http://127.0.0.1:8080/identities/oauth2/return/login');
  await emu.addCallbackUrl(poolId, clientId, 'http://127.0.0.1:8080/identities/oauth2/return/login');
  const d = (await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
  assert.deepEqual(d.CallbackURLs, ['http://127.0.0.1:8080/identities/oauth2/return/login']);
  assert.deepEqual(d.AllowedOAuthFlows, ['code']);
  assert.deepEqual(d.AllowedOAuthScopes, ['openid', 'email', 'profile']);
  assert.deepEqual(d.SupportedIdentityProviders, ['COGNITO']);
  assert.equal(d.AllowedOAuthFlowsUserPoolClient, true);
  await assert.rejects(emu.addCallbackUrl(poolId, clientId, 'http://evil.example/cb'), {
    message: 'Invalid CallbackURLs value "http://evil.example/cb": HTTP is allowed only for localhost, 127.0.0.1 and [::1]; use HTTPS.',
  });
  assert.deepEqual(emu.poolByName('Settings')!.clients.find((x) => x.clientId === clientId)!.callbackUrls, ['http://127.0.0.1:8080/identities/oauth2/return/login']);
});

test('OAuth settings persist with the rest of the state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'userpool-hosted-'));
  try {
    const first = await startUserPoolEmulator({ dataDir: dir });
    const sdk = sdkClient(first.url);
    const pool = (await sdk.send(new CreateUserPoolCommand({ PoolName: 'Kept' }))).UserPool!.Id!;
    const clientId = (await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'Web', ...hosted, LogoutURLs: ['https://app.example.com/bye'] }))).UserPoolClient!.ClientId!;
    sdk.destroy();
    await first.close();

    const second = await startUserPoolEmulator({ dataDir: dir });
    const sdk2 = sdkClient(second.url);
    try {
      assert.equal((await sdk2.send(new ListUserPoolsCommand({ MaxResults: 10 }))).UserPools!.length, 1);
      const d = (await sdk2.send(new DescribeUserPoolClientCommand({ UserPoolId: pool, ClientId: clientId }))).UserPoolClient!;
      assert.deepEqual(d.CallbackURLs, ['https://app.example.com/cb']);
      assert.deepEqual(d.LogoutURLs, ['https://app.example.com/bye']);
      assert.deepEqual(d.AllowedOAuthFlows, ['code']);
      assert.deepEqual(d.AllowedOAuthScopes, ['openid']);
      assert.deepEqual(d.SupportedIdentityProviders, ['COGNITO']);
      assert.equal(d.AllowedOAuthFlowsUserPoolClient, true);
    } finally {
      sdk2.destroy();
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('seed clients: callbackUrls switch the code flow on, a re-applied seed adds URLs and scopes, a bad URL stops start-up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'userpool-hosted-seed-'));
  const seed = (callbackUrls: string[], scopes?: string[]) => ({
    pools: [{
      name: 'Seeded', users: [],
      clients: [{ name: 'App', explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH' as const], callbackUrls, ...(scopes ? { allowedOAuthScopes: scopes } : {}) }],
    }],
  });
  try {
    const first = await startUserPoolEmulator({ dataDir: dir, seed: seed(['https://a.example/cb']) });
    const c1 = first.poolByName('Seeded')!.clients[0]!;
    assert.deepEqual([c1.callbackUrls, c1.allowedOAuthFlows, c1.allowedOAuthScopes], [['https://a.example/cb'], ['code'], ['openid', 'email', 'profile']]);
    await first.close();

    const second = await startUserPoolEmulator({ dataDir: dir, seed: seed(['https://b.example/cb'], ['openid', 'phone']) });
    const c2 = second.poolByName('Seeded')!.clients[0]!;
    assert.equal(c2.clientId, c1.clientId);
    assert.deepEqual(c2.callbackUrls, ['https://a.example/cb', 'https://b.example/cb']);
    assert.deepEqual(c2.allowedOAuthScopes, ['openid', 'email', 'profile', 'phone']);
    await second.close();

    await assert.rejects(startUserPoolEmulator({ dataDir: dir, seed: seed(['http://c.example/cb']) }), {
      name: 'CognitoError', message: 'Invalid CallbackURLs value "http://c.example/cb": HTTP is allowed only for localhost, 127.0.0.1 and [::1]; use HTTPS.',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
