import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BedrockAgentCoreControlClient, GetOauth2CredentialProviderCommand, GetAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { silentLogger } from '@mandate/core';
import { startDevStack } from '../src/stack/dev-stack.ts';
import type { DevJson } from '../src/stack/dev-json.ts';
import { runCli } from '../src/main.ts';
import { freePortRange, tempDir } from './helpers.ts';

const quiet = { progress: () => {}, logger: silentLogger };

test('mandate dev brings the stack up, writes dev.json, and a restart reuses everything', async () => {
  const tmp = tempDir('mandate-dev-');
  const basePort = await freePortRange();
  try {
    const first = await startDevStack({ env: {}, cwd: tmp.dir, basePort, dataDir: tmp.dir, ...quiet });
    const d = first.devJson;
    try {
      // The dev.json contract (docs/dev-json.md).
      assert.equal(d.region, 'us-west-2');
      assert.equal(d.identity.controlPlaneEndpoint, `http://127.0.0.1:${basePort}`);
      assert.equal(d.runtime.dataPlaneEndpoint, `http://127.0.0.1:${basePort}`);
      assert.match(d.adminCredentials.accessKeyId, /^[A-Z0-9]{16,}$/);
      assert.match(d.entra.tenantId, /^[0-9a-f-]{36}$/);
      assert.equal(d.entra.loginBaseUrl, `https://127.0.0.1:${basePort + 1}`);
      assert.equal(d.entra.apps.length, 1);
      assert.deepEqual(d.entra.apps[0]!.scopes, [`api://${d.entra.apps[0]!.clientId}/read`]);
      assert.equal(d.entra.users.length, 2);
      assert.deepEqual(d.userPool.users.map((u) => u.username), ['testuser1', 'testuser2']);
      assert.equal(d.userPool.discoveryUrl, `http://127.0.0.1:${basePort + 2}/${d.userPool.poolId}/.well-known/openid-configuration`);
      assert.equal(statSync(first.devJsonPath).mode & 0o777, 0o600);
      assert.deepEqual(d.gateway, { name: 'weather-gateway', gatewayId: d.gateway!.gatewayId, gatewayUrl: `${d.identity.controlPlaneEndpoint}/gateways/${d.gateway!.gatewayId}/mcp`, mcpServerUrl: `http://127.0.0.1:${basePort + 4}/mcp`, status: 'READY' });
      assert.deepEqual(JSON.parse(readFileSync(first.devJsonPath, 'utf8')), d);

      // The seed setup is visible through the official control client with the admin key.
      const control = new BedrockAgentCoreControlClient({ endpoint: d.identity.controlPlaneEndpoint, region: d.region, credentials: d.adminCredentials });
      const provider = await control.send(new GetOauth2CredentialProviderCommand({ name: 'ms_entra_oauth_provider' }));
      assert.equal(provider.credentialProviderVendor, 'MicrosoftOauth2');
      assert.equal(provider.callbackUrl, d.credentialProviders[0]!.callbackUrl);
      // ...and its callback URL is a redirect URI of the Entra app, as a user would register it.
      assert.deepEqual(d.entra.apps[0]!.redirectUris, [provider.callbackUrl]);
      const agent = await control.send(new GetAgentRuntimeCommand({ agentRuntimeId: d.runtime.agents[0]!.agentRuntimeId }));
      assert.equal(agent.authorizerConfiguration?.customJWTAuthorizer?.discoveryUrl, d.userPool.discoveryUrl);
      assert.deepEqual(agent.authorizerConfiguration?.customJWTAuthorizer?.allowedClients, [d.userPool.clientId]);
      control.destroy();

      // The demo users sign in to the user pool with the passwords in dev.json.
      const cognito = new CognitoIdentityProviderClient({ endpoint: d.userPool.endpoint, region: d.region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const auth = await cognito.send(new InitiateAuthCommand({ ClientId: d.userPool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'testuser1', PASSWORD: d.userPool.users[0]!.password } }));
      const jwks = (await (await fetch(`${d.userPool.issuer}/.well-known/jwks.json`)).json()) as import("jose").JSONWebKeySet;
      const { payload } = await jwtVerify(auth.AuthenticationResult!.AccessToken!, createLocalJWKSet(jwks), { issuer: d.userPool.issuer });
      assert.equal(payload.client_id, d.userPool.clientId);
      assert.equal(payload.username, 'testuser1');
      // The built-in return page can sign users in through the pool's hosted sign-in.
      const demoClient = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: d.userPool.poolId, ClientId: d.userPool.clientId }));
      assert.ok(demoClient.UserPoolClient!.CallbackURLs!.includes(`${d.identity.controlPlaneEndpoint}/identities/oauth2/return/login`));
      assert.deepEqual(demoClient.UserPoolClient!.AllowedOAuthScopes, ['openid', 'email', 'profile']);
      assert.deepEqual(demoClient.UserPoolClient!.AllowedOAuthFlows, ['code']);
      cognito.destroy();
    } finally {
      await first.close();
    }

    // Second start: same tenant, users, provider, runtime and admin key.
    const second = await startDevStack({ env: {}, cwd: tmp.dir, basePort, dataDir: tmp.dir, ...quiet });
    try {
      const e = second.devJson;
      assert.equal(e.entra.tenantId, d.entra.tenantId);
      assert.deepEqual(e.entra.users, d.entra.users);
      assert.deepEqual(e.userPool.users, d.userPool.users);
      assert.equal(e.userPool.poolId, d.userPool.poolId);
      assert.deepEqual(e.credentialProviders, d.credentialProviders);
      assert.deepEqual(e.runtime.agents, d.runtime.agents);
      assert.deepEqual(e.gateway, d.gateway, 'the same gateway, re-pointed at the restarted MCP server');
      assert.deepEqual(e.adminCredentials, d.adminCredentials);
      assert.deepEqual(e.entra.apps[0]!.redirectUris, d.entra.apps[0]!.redirectUris);
      const control = new BedrockAgentCoreControlClient({ endpoint: e.identity.controlPlaneEndpoint, region: e.region, credentials: e.adminCredentials });
      const provider = await control.send(new GetOauth2CredentialProviderCommand({ name: 'ms_entra_oauth_provider' }));
      assert.equal(provider.callbackUrl, d.credentialProviders[0]!.callbackUrl);
      control.destroy();
    } finally {
      await second.close();
    }
  } finally {
    tmp.remove();
  }
});

test('a port already in use is one clear line with what to do, exit code 1, nothing left running', async () => {
  const tmp = tempDir('mandate-dev-busy-');
  const basePort = await freePortRange();
  const first = await startDevStack({ env: {}, cwd: tmp.dir, basePort, dataDir: tmp.dir, withWeatherAgent: false, ...quiet });
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['dev', '--port', String(basePort), '--data-dir', join(tmp.dir, 'other')], { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: tmp.dir });
    assert.equal(code, 1);
    assert.equal(err[0], `mandate: Port ${basePort + 1} on 127.0.0.1 (the Entra ID emulator) is already in use.`);
    assert.match(err[1]!, /What to do: Another `mandate dev` may be running/);
  } finally {
    await first.close();
    tmp.remove();
  }
});

test('a corrupted data directory is reported with what to do', async () => {
  const tmp = tempDir('mandate-dev-corrupt-');
  const basePort = await freePortRange();
  try {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(tmp.dir, 'entra'), { recursive: true });
    writeFileSync(join(tmp.dir, 'entra', 'seed.json'), '{ not json');
    const err: string[] = [];
    const code = await runCli(['dev', '--port', String(basePort), '--data-dir', tmp.dir], { out: () => {}, err: (l) => err.push(l), env: {}, cwd: tmp.dir });
    assert.equal(code, 1);
    assert.equal(err[0], `mandate: ${join(tmp.dir, 'entra', 'seed.json')} is corrupted (not valid JSON).`);
    assert.match(err[1]!, /Delete the data directory/);
  } finally {
    tmp.remove();
  }
});

test('`npm start` (mandate dev as a process) prints the summary and the next commands', async () => {
  const tmp = tempDir('mandate-start-');
  const basePort = await freePortRange();
  const child = spawn(process.execPath, ['packages/cli/src/main.ts', 'dev', '--port', String(basePort), '--data-dir', tmp.dir, '--no-agent'], {
    cwd: join(import.meta.dirname, '..', '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; output so far:\n${out}`)), 60_000);
      child.stdout.on('data', () => {
        if (out.includes('Press Ctrl-C to stop.')) (clearTimeout(timer), resolve());
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    assert.match(out, /Mandate is running/);
    assert.match(out, /npx mandate invoke "Weather in San Francisco\?" --user testuser1/);
    const devJson = JSON.parse(readFileSync(join(tmp.dir, 'dev.json'), 'utf8')) as DevJson;
    assert.equal(devJson.identity.controlPlaneEndpoint, `http://127.0.0.1:${basePort}`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    tmp.remove();
  }
  assert.match(out, /Stopped\. State is kept in the data directory/);
});
