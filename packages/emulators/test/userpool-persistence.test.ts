import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand, CreateUserPoolCommand, DescribeUserPoolClientCommand,
  GetUserCommand, InitiateAuthCommand, ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeProtectedHeader } from 'jose';
import { startUserPoolEmulator } from '../src/userpool/index.ts';
import { sdkClient, secretHash, STRONG, verifyViaDiscovery } from './userpool-helpers.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'mandate-userpool-'));
  dirs.push(d);
  return d;
}

test('stop and restart with the same dataDir: users still sign in, earlier tokens still verify and refresh', async () => {
  const dataDir = await tempDir();
  const first = await startUserPoolEmulator({ dataDir });
  const c1 = sdkClient(first.url);
  const poolId = (await c1.send(new CreateUserPoolCommand({ PoolName: 'Durable' }))).UserPool!.Id!;
  const client = (await c1.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'App', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient!;
  await c1.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'testuser1', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 't1@example.com' }] }));
  await c1.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'testuser1', Password: STRONG, Permanent: true }));
  const hash = secretHash('testuser1', client.ClientId!, client.ClientSecret!);
  const tokens = (await c1.send(new InitiateAuthCommand({
    ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'testuser1', PASSWORD: STRONG, SECRET_HASH: hash },
  }))).AuthenticationResult!;
  const port = Number(new URL(first.url).port);
  c1.destroy();
  await first.close();

  // The file holds hashes only: no password, no refresh token, no client-visible token.
  const file = join(dataDir, 'userpool.json');
  const text = await readFile(file, 'utf8');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal(text.includes(STRONG), false);
  assert.equal(text.includes(tokens.RefreshToken!), false);
  assert.equal(text.includes(tokens.AccessToken!.split('.')[2]!), false);
  assert.match(text, /"passwordHash":"scrypt\$16384\$8\$1\$/);

  // Same port, so the default issuer (the emulator's URL) is the same as before.
  const second = await startUserPoolEmulator({ dataDir, port });
  const c2 = sdkClient(second.url);
  try {
    assert.equal(second.url, first.url);
    assert.deepEqual(second.pools().map((p) => [p.id, p.name, p.clients.length, p.users.map((u) => u.username)]), [[poolId, 'Durable', 1, ['testuser1']]]);
    const described = await c2.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }));
    assert.equal(described.UserPoolClient!.ClientSecret, client.ClientSecret);

    // Tokens from before the restart verify against the republished key and are accepted by GetUser.
    const access = await verifyViaDiscovery(second.discoveryUrl(poolId), tokens.AccessToken!);
    assert.equal(access.payload.username, 'testuser1');
    assert.equal(access.payload.client_id, client.ClientId);
    assert.equal((await verifyViaDiscovery(second.discoveryUrl(poolId), tokens.IdToken!, { audience: client.ClientId! })).payload.email, 't1@example.com');
    assert.equal((await c2.send(new GetUserCommand({ AccessToken: tokens.AccessToken! }))).Username, 'testuser1');

    // The refresh token survives; so does the password.
    const refreshed = (await c2.send(new InitiateAuthCommand({
      ClientId: client.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken!, SECRET_HASH: hash },
    }))).AuthenticationResult!;
    assert.equal(decodeProtectedHeader(refreshed.AccessToken!).kid, decodeProtectedHeader(tokens.AccessToken!).kid);
    const again = (await c2.send(new InitiateAuthCommand({
      ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'testuser1', PASSWORD: STRONG, SECRET_HASH: hash },
    }))).AuthenticationResult!;
    assert.equal((await verifyViaDiscovery(second.discoveryUrl(poolId), again.AccessToken!)).payload.sub, access.payload.sub);
  } finally {
    c2.destroy();
    await second.close();
  }
});

test('issuerBase sets the issuer and discovery URLs; a fresh dataDir starts empty', async () => {
  const dataDir = await tempDir();
  const emu = await startUserPoolEmulator({ issuerBase: 'https://cognito-idp.us-west-2.amazonaws.com/' });
  const c = sdkClient(emu.url);
  try {
    const poolId = (await c.send(new CreateUserPoolCommand({ PoolName: 'Issuer' }))).UserPool!.Id!;
    assert.equal(emu.issuer(poolId), `https://cognito-idp.us-west-2.amazonaws.com/${poolId}`);
    assert.equal(emu.discoveryUrl(poolId), `https://cognito-idp.us-west-2.amazonaws.com/${poolId}/.well-known/openid-configuration`);
    const doc = (await (await fetch(`${emu.url}/${poolId}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(doc.issuer, `https://cognito-idp.us-west-2.amazonaws.com/${poolId}`);
    assert.equal(doc.jwks_uri, `https://cognito-idp.us-west-2.amazonaws.com/${poolId}/.well-known/jwks.json`);
  } finally {
    c.destroy();
    await emu.close();
  }
  const fresh = await startUserPoolEmulator({ dataDir });
  assert.deepEqual(fresh.pools(), []);
  await fresh.close();
});

test('a corrupt state file stops the emulator from starting (fail closed)', async () => {
  const dataDir = await tempDir();
  await writeFile(join(dataDir, 'userpool.json'), '{"version":1,"pools":');
  await assert.rejects(startUserPoolEmulator({ dataDir }), SyntaxError);
  await writeFile(join(dataDir, 'userpool.json'), '{"version":2,"pools":{}}');
  await assert.rejects(startUserPoolEmulator({ dataDir }), { message: `unsupported state file version in ${join(dataDir, 'userpool.json')}` });
});

test('concurrent changes are all persisted; no temporary file is left behind', async () => {
  const dataDir = await tempDir();
  const first = await startUserPoolEmulator({ dataDir });
  const c1 = sdkClient(first.url);
  const poolId = (await c1.send(new CreateUserPoolCommand({ PoolName: 'Busy' }))).UserPool!.Id!;
  const names = Array.from({ length: 12 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
  await Promise.all(names.map((Username) => c1.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, TemporaryPassword: STRONG }))));
  const port = Number(new URL(first.url).port);
  c1.destroy();
  await first.close();
  assert.deepEqual(await readdir(dataDir), ['userpool.json']);

  const second = await startUserPoolEmulator({ dataDir, port });
  const c2 = sdkClient(second.url);
  try {
    const listed = await c2.send(new ListUsersCommand({ UserPoolId: poolId }));
    assert.deepEqual(listed.Users!.map((u) => [u.Username, u.UserStatus]), names.map((n) => [n, 'FORCE_CHANGE_PASSWORD']));
  } finally {
    c2.destroy();
    await second.close();
  }
});
