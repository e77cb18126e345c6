import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateUserPoolClientCommand, DescribeUserPoolClientCommand, GetUserCommand, InitiateAuthCommand, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { memoryLogger } from '@mandate/core';
import { demoUserPoolSeed, startUserPoolEmulator } from '../src/userpool/index.ts';
import { failure, sdkClient, secretHash, verifyViaDiscovery } from './userpool-helpers.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('demoUserPoolSeed(): DemoUserPool with DemoClient and testuser1/testuser2 who sign in as in the seed notebook', async () => {
  const seed = demoUserPoolSeed();
  const [u1, u2] = seed.pools[0]!.users;
  assert.notEqual(u1!.password, u2!.password);
  assert.notEqual(demoUserPoolSeed().pools[0]!.users[0]!.password, u1!.password);

  const emu = await startUserPoolEmulator({ seed });
  const cognito = sdkClient(emu.url);
  try {
    const pool = emu.poolByName('DemoUserPool')!;
    assert.match(pool.id, /^us-west-2_[A-Za-z0-9]{9}$/);
    assert.equal(pool.discoveryUrl, `${emu.url}/${pool.id}/.well-known/openid-configuration`);
    assert.equal(pool.clients.length, 1);
    const client = pool.clients[0]!;
    assert.equal(client.clientName, 'DemoClient');
    assert.equal(client.clientSecret, undefined);
    const described = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.id, ClientId: client.clientId }));
    assert.deepEqual(described.UserPoolClient!.ExplicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    const users = await cognito.send(new ListUsersCommand({ UserPoolId: pool.id }));
    assert.deepEqual(users.Users!.map((u) => [u.Username, u.UserStatus]), [['testuser1', 'CONFIRMED'], ['testuser2', 'CONFIRMED']]);

    // The notebook's cell: InitiateAuth(USER_PASSWORD_AUTH) → AccessToken, whose client_id is what allowedClients checks.
    for (const u of [u1!, u2!]) {
      const r = await cognito.send(new InitiateAuthCommand({
        ClientId: client.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: u.username, PASSWORD: u.password },
      }));
      const { payload } = await verifyViaDiscovery(pool.discoveryUrl, r.AuthenticationResult!.AccessToken!);
      assert.equal(payload.client_id, client.clientId);
      assert.equal(payload.username, u.username);
      assert.equal(payload.iss, `${emu.url}/${pool.id}`);
    }
  } finally {
    cognito.destroy();
    await emu.close();
  }
});

test('re-applying a seed after a restart creates nothing twice and makes the new seed passwords the valid ones', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'mandate-userpool-seed-'));
  dirs.push(dataDir);
  const firstSeed = demoUserPoolSeed();
  const first = await startUserPoolEmulator({ dataDir, seed: firstSeed });
  const before = first.poolByName('DemoUserPool')!;
  await first.close();

  const secondSeed = demoUserPoolSeed();
  const second = await startUserPoolEmulator({ dataDir, seed: secondSeed });
  const cognito = sdkClient(second.url);
  try {
    assert.equal(second.pools().length, 1);
    const pool = second.poolByName('DemoUserPool')!;
    assert.equal(pool.id, before.id);
    assert.deepEqual(pool.clients.map((c) => c.clientId), before.clients.map((c) => c.clientId));
    assert.deepEqual(pool.users.map((u) => [u.username, u.sub]), before.users.map((u) => [u.username, u.sub]));
    const signIn = (password: string) => cognito.send(new InitiateAuthCommand({
      ClientId: pool.clients[0]!.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'testuser1', PASSWORD: password },
    }));
    assert.ok((await signIn(secondSeed.pools[0]!.users[0]!.password)).AuthenticationResult!.AccessToken);
    const err = await failure(() => signIn(firstSeed.pools[0]!.users[0]!.password));
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
  } finally {
    cognito.destroy();
    await second.close();
  }
});

test('the log names operations and outcomes but never a password, token, secret or secret hash', async () => {
  const logger = memoryLogger('debug');
  const seed = demoUserPoolSeed();
  const emu = await startUserPoolEmulator({ seed, logger });
  const cognito = sdkClient(emu.url);
  try {
    const pool = emu.poolByName('DemoUserPool')!;
    const { username, password } = seed.pools[0]!.users[0]!;
    const withSecret = (await cognito.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'Logged', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient!;
    const hash = secretHash(username, withSecret.ClientId!, withSecret.ClientSecret!);
    const r = (await cognito.send(new InitiateAuthCommand({
      ClientId: withSecret.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: hash },
    }))).AuthenticationResult!;
    await cognito.send(new InitiateAuthCommand({ ClientId: withSecret.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken!, SECRET_HASH: hash } }));
    await cognito.send(new GetUserCommand({ AccessToken: r.AccessToken! }));
    await failure(() => cognito.send(new InitiateAuthCommand({
      ClientId: withSecret.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: 'Wrong-Pass-1', SECRET_HASH: hash },
    })));
    const text = logger.lines.join('');
    assert.match(text, /"msg":"cognito operation","operation":"InitiateAuth"/);
    assert.match(text, /"msg":"cognito operation failed","operation":"InitiateAuth","requestId":"[0-9a-f-]{36}","error":"NotAuthorizedException"/);
    for (const secret of [password, 'Wrong-Pass-1', hash, withSecret.ClientSecret!, r.RefreshToken!, r.AccessToken!.split('.')[2]!, r.IdToken!.split('.')[2]!]) {
      assert.equal(text.includes(secret), false);
    }
  } finally {
    cognito.destroy();
    await emu.close();
  }
});
