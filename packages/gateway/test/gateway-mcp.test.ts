// The MCP gateway end to end, through unmodified clients: the official MCP SDK client knowing only the
// gateway URL gets 401 → RFC 9728 metadata → signs in at the user pool's hosted page in Chromium →
// lists the targets' tools → calls the weather tool → receives a URL elicitation (-32042) → the person
// consents at the Entra emulator in Chromium and confirms who they are on Mandate's return page → the
// retried call returns a forecast computed with that user's own Entra token (the tool checks its oid).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateGatewayCommand, CreateGatewayTargetCommand, CreateOauth2CredentialProviderCommand, GetGatewayTargetCommand, ListGatewayTargetsCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { MemoryOAuthClient, signInAtPool } from '@mandate/emulators/test-mcp-client';
import { ListPromptsResultSchema, McpError, UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import { demoSeed, startEntraEmulator, startUserPoolEmulator, trustCa, type EntraEmulator, type UserPoolEmulator } from '@mandate/emulators';
import { JwtVerifier } from '@mandate/weather-agent/jwt-check';
import { createWeatherApi, forecastFor } from '@mandate/weather-agent/weather-api';
import { startWeatherMcpServer, type WeatherMcpServer } from '@mandate/weather-mcp';
import { collections } from '@mandate/identity/testing';
import { closedPort, ROLE_ARN, startMandate, type Mandate } from './harness.ts';

const PASSWORD = 'Correct-Horse-9-Battery';
const seed = demoSeed();
const tenant = seed.tenants[0]!;
const appReg = tenant.apps![0]!;
const entraUsers = { alice: tenant.users![0]!, bob: tenant.users![1]! };
let entra: EntraEmulator;
let pool: UserPoolEmulator;
let m: Mandate;
let browser: Browser;
let weather: WeatherMcpServer;
let callback: Server;
let redirectUrl = '';
let clientId = '';
let gatewayUrl: URL;
let gatewayId = '';

before(async () => {
  entra = await startEntraEmulator({ seed });
  trustCa(entra.caCertPem);
  pool = await startUserPoolEmulator({});
  callback = createServer((_req, res) => res.end('signed in'));
  await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
  redirectUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  m = await startMandate({ entraAuthorityBase: entra.url });

  const cognito = new CognitoIdentityProviderClient({ region: 'us-west-2', endpoint: pool.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'unused' }, maxAttempts: 1 });
  const poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'GatewayUsers' }))).UserPool!.Id!;
  // One public client (code + PKCE): the MCP client signs in with it, and Mandate's return page signs the
  // user in again with the same client to confirm who consented (so its login URL is a callback URL too).
  clientId = (await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'mcp-desktop', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'], CallbackURLs: [redirectUrl, `${m.url}/identities/oauth2/return/login`], SupportedIdentityProviders: ['COGNITO'],
  }))).UserPoolClient!.ClientId!;
  for (const u of ['alice', 'bob', 'carol']) {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: u, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${u}@example.com` }, { Name: 'email_verified', Value: 'true' }] }));
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: u, Password: PASSWORD, Permanent: true }));
  }
  cognito.destroy();

  const provider = await m.control.send(new CreateOauth2CredentialProviderCommand({
    name: 'entra', credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: appReg.appId, clientSecret: appReg.clientSecrets![0]!.value, tenantId: tenant.id } },
  }));
  entra.directory.addRedirectUri(tenant.id, appReg.appId, provider.callbackUrl!);
  // The protected resource: it verifies each token against the tenant's keys and requires the delegated scope.
  weather = await startWeatherMcpServer({
    weatherApi: createWeatherApi({
      requiredScope: 'read',
      verifier: new JwtVerifier({ issuer: `${entra.url}/${tenant.id}/v2.0`, jwksUri: `${entra.url}/${tenant.id}/discovery/v2.0/keys`, audiences: [appReg.appId] }),
    }),
  });
  const gw = await m.control.send(new CreateGatewayCommand({
    name: 'weather', roleArn: ROLE_ARN, protocolType: 'MCP', authorizerType: 'CUSTOM_JWT',
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: pool.discoveryUrl(poolId), allowedClients: [clientId], advertisedScopeMapping: { openid: 'openid' } } },
  }));
  gatewayId = gw.gatewayId!;
  gatewayUrl = new URL(gw.gatewayUrl!);
  const target = await m.control.send(new CreateGatewayTargetCommand({
    gatewayIdentifier: gatewayId, name: 'weather', targetConfiguration: { mcp: { mcpServer: { endpoint: weather.url } } },
    credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn: provider.credentialProviderArn!, scopes: [`api://${appReg.appId}/read`], grantType: 'AUTHORIZATION_CODE' } } }],
  }));
  assert.equal(target.status, 'CREATING');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
});
after(async () => {
  await browser?.close();
  await m?.close();
  await weather?.close();
  await pool?.close();
  await entra?.close();
  callback?.close();
});

const poolSignIn = (url: URL, username: string) => signInAtPool(browser, url, username, PASSWORD, redirectUrl);

/**
 * A person following the elicitation URL: signs in to Entra and consents, then confirms on Mandate's
 * return page (the user pool's hosted sign-in again) who they are. Returns the final page's text.
 */
async function consent(url: string, entraUser: { username: string; password: string }, poolUser: string): Promise<string> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.getByLabel('Email or username').fill(entraUser.username);
    await page.getByLabel('Password').fill(entraUser.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Entra asks for consent only for scopes the user has not granted the app yet (a second consent skips the page).
    await page.waitForURL((u) => u.pathname.includes('/emulator/interaction/') || u.href.startsWith(pool.url));
    if (page.url().includes('/emulator/interaction/')) {
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL((u) => u.href.startsWith(pool.url));
    }
    await page.getByLabel('Username').fill(poolUser);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${m.url}/identities/oauth2/return/login`));
    return await page.locator('body').innerText();
  } finally {
    await context.close();
  }
}

interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport;
  oauth: MemoryOAuthClient;
}

/** Connects as `username` knowing only the gateway URL: try, get 401, sign in through the browser, connect again. */
async function connectAs(username: string, capabilities: Record<string, unknown> = { elicitation: { url: {} } }): Promise<Connected> {
  const oauth = new MemoryOAuthClient(redirectUrl, clientId);
  const first = new StreamableHTTPClientTransport(gatewayUrl, { authProvider: oauth });
  await assert.rejects(new Client({ name: 'desktop', version: '1' }, { capabilities }).connect(first), UnauthorizedError);
  assert.ok(oauth.authorizationUrl, 'the client was sent to sign in');
  assert.equal(oauth.authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(oauth.authorizationUrl.searchParams.get('resource'), gatewayUrl.href);
  await first.finishAuth(await poolSignIn(oauth.authorizationUrl, username));
  const transport = new StreamableHTTPClientTransport(gatewayUrl, { authProvider: oauth });
  const client = new Client({ name: 'desktop', version: '1' }, { capabilities });
  await client.connect(transport);
  return { client, transport, oauth };
}

const weatherIn = (c: Client, city: string) => c.callTool({ name: 'weather___get_weather', arguments: { city } });

/** Calls the tool expecting the URL elicitation; returns its URL. */
async function elicited(c: Client, city: string): Promise<string> {
  try {
    await weatherIn(c, city);
  } catch (err) {
    assert.ok(err instanceof UrlElicitationRequiredError, `expected a URL elicitation, got ${String(err)}`);
    assert.equal(err.code, -32042);
    const [e] = err.elicitations;
    assert.equal(e!.mode, 'url');
    assert.match(e!.message, /^Connect your account for weather: open this link, sign in and consent, then call weather___get_weather again\.$/);
    assert.ok(e!.url.startsWith(`${m.url}/identities/oauth2/authorize?request_uri=`));
    return e!.url;
  }
  throw new Error('the call succeeded without consent');
}

const oidOf = (username: string) => entra.directory.listUsers(tenant.id).find((u) => u.username === username)!.id;

test('the gateway URL alone: 401 with resource_metadata, and the metadata names the user pool', async () => {
  const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' });
  assert.equal(res.status, 401);
  const prm = `${m.url}/.well-known/oauth-protected-resource/gateways/${gatewayId}/mcp`;
  assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${prm}", scope="openid"`);
  assert.deepEqual(await res.json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'This gateway needs an OAuth bearer token in the Authorization header.' } });
  const meta = await (await fetch(prm)).json();
  assert.deepEqual(meta, { resource: gatewayUrl.href, authorization_servers: [pool.discoveryUrl(pool.poolByName('GatewayUsers')!.id).replace('/.well-known/openid-configuration', '')], bearer_methods_supported: ['header'], scopes_supported: ['openid'], resource_name: 'weather' });
  assert.equal((await fetch(`${m.url}/.well-known/oauth-protected-resource/gateways/nosuch-aaaaaaaaaa/mcp`)).status, 404);
});

test('sign in, list tools, URL elicitation, consent in Chromium, and the retried call is computed with the user\'s own Entra token', async () => {
  const alice = await connectAs('alice');
  try {
    const tools = await alice.client.listTools();
    assert.deepEqual(tools.tools.map((t) => t.name), ['weather___get_weather']);
    assert.equal(tools.tools[0]!.description, 'The forecast for a city, checked with the signed-in user\'s token.');
    const url = await elicited(alice.client, 'Seattle');
    assert.match(await consent(url, entraUsers.alice, 'alice'), /Access granted/);
    const r = await weatherIn(alice.client, 'Seattle');
    assert.equal(r.isError, undefined);
    const report = r.structuredContent as { city: string; checkedFor: { oid: string; preferredUsername: string }; tokenVerified: boolean; condition: string };
    assert.deepEqual(report.checkedFor, { oid: oidOf(entraUsers.alice.username), preferredUsername: entraUsers.alice.username });
    assert.equal(report.tokenVerified, true);
    assert.equal(report.condition, forecastFor('Seattle').condition);
    // What the client received carries no token: not the Entra one, not in any form.
    assert.equal(JSON.stringify(r).includes('eyJ'), false);
    assert.equal(weather.callsWithoutToken, 0);
  } finally {
    await alice.transport.terminateSession();
    await alice.client.close();
  }
});

test('two users through the same gateway, interleaved: each call carries only its own user\'s token', async () => {
  const alice = await connectAs('alice');
  const bob = await connectAs('bob');
  try {
    // Alice consented above (the vault has her token); Bob has not.
    const url = await elicited(bob.client, 'Oslo');
    assert.match(await consent(url, entraUsers.bob, 'bob'), /Access granted/);
    const cities = ['Paris', 'Lima', 'Tokyo', 'Cairo', 'Quito', 'Perth'];
    const results = await Promise.all(cities.flatMap((city) => [
      weatherIn(alice.client, city).then((r) => ['alice', city, r] as const),
      weatherIn(bob.client, city).then((r) => ['bob', city, r] as const),
    ]));
    for (const [who, city, r] of results) {
      const report = r.structuredContent as { city: string; checkedFor: { oid: string; preferredUsername: string } };
      const u = entraUsers[who];
      assert.deepEqual([report.city, report.checkedFor], [city, { oid: oidOf(u.username), preferredUsername: u.username }], `${who}'s call for ${city}`);
    }
    // Bob presenting Alice's session id is told the session does not exist: nothing of hers is revealed.
    const hijack = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.oauth.tokens()!.access_token}`, 'mcp-session-id': alice.transport.sessionId!, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'weather___get_weather', arguments: { city: 'Rome' } } }),
    });
    assert.equal(hijack.status, 404);
    assert.deepEqual(await hijack.json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Session not found: start a new MCP session (initialize).' } });
  } finally {
    await alice.client.close();
    await bob.client.close();
  }
});

test('a client without URL elicitation gets the consent link in an error result; unknown tools and methods get JSON-RPC errors', async () => {
  const { client } = await connectAs('carol', {});
  try {
    const r = await weatherIn(client, 'Bern');
    assert.equal(r.isError, true);
    const text = (r.content as Array<{ type: string; text: string }>)[0]!.text;
    const [line, link] = text.split('\n');
    assert.equal(line, 'Connect your account for weather: open this link, sign in and consent, then call weather___get_weather again.');
    assert.ok(link!.startsWith(`${m.url}/identities/oauth2/authorize?request_uri=`));
    await assert.rejects(client.callTool({ name: 'weather___nosuch', arguments: {} }), (err: unknown) => err instanceof McpError && err.code === -32602 && err.message === 'MCP error -32602: Unknown tool: weather___nosuch. Call tools/list for the tools of this gateway.');
    await assert.rejects(client.callTool({ name: 'nosuch___get_weather', arguments: {} }), (err: unknown) => err instanceof McpError && err.code === -32602);
    await assert.rejects(client.request({ method: 'prompts/list', params: {} }, ListPromptsResultSchema), (err: unknown) => err instanceof McpError && err.code === -32601 && /Method not found: prompts\/list\./.test(err.message));
  } finally {
    await client.close();
  }
});

test('a target whose upstream is down answers a JSON-RPC error naming it; the other target keeps working', async () => {
  const port = await closedPort();
  const inline = JSON.stringify([{ name: 'get_weather', description: 'a second weather service', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }]);
  await m.control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, name: 'backup', targetConfiguration: { mcp: { mcpServer: { endpoint: `http://127.0.0.1:${port}/mcp`, mcpToolSchema: { inlinePayload: inline } } } } }));
  const alice = await connectAs('alice');
  try {
    assert.deepEqual((await alice.client.listTools()).tools.map((t) => t.name).sort(), ['backup___get_weather', 'weather___get_weather']);
    await assert.rejects(alice.client.callTool({ name: 'backup___get_weather', arguments: { city: 'Nice' } }), (err: unknown) => {
      assert.ok(err instanceof McpError);
      assert.equal(err.code, -32603);
      assert.equal(err.message, 'MCP error -32603: Target backup is unavailable: connection failed (ECONNREFUSED).');
      assert.deepEqual(err.data, { target: 'backup' });
      return true;
    });
    const ok = await weatherIn(alice.client, 'Nice');
    assert.equal((ok.structuredContent as { city: string }).city, 'Nice');
  } finally {
    await alice.client.close();
  }
});

test('a token the target refuses (revoked at the provider) brings a new consent, and the call after it succeeds', async () => {
  // A guard in front of the weather server that answers 401 while `refusing` (as a resource server does for a revoked token).
  let refusing = false;
  const seen: string[] = [];
  const guard = createServer(async (req, res) => {
    seen.push(req.headers.authorization ?? '');
    if (refusing && req.method === 'POST') {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    const body = await new Promise<Buffer>((r) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => r(Buffer.concat(chunks)));
    });
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'accept', 'authorization', 'mcp-protocol-version', 'mcp-session-id']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
    const up = await fetch(weather.url, { method: req.method!, headers, ...(req.method === 'POST' ? { body } : {}) });
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => guard.listen(0, '127.0.0.1', r));
  try {
    const providerArn = (await m.control.send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: (await m.control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId }))).items!.find((t) => t.name === 'weather')!.targetId! })))
      .credentialProviderConfigurations![0]!.credentialProvider!.oauthCredentialProvider!.providerArn!;
    await m.control.send(new CreateGatewayTargetCommand({
      gatewayIdentifier: gatewayId, name: 'guarded', targetConfiguration: { mcp: { mcpServer: { endpoint: `http://127.0.0.1:${(guard.address() as AddressInfo).port}/mcp` } } },
      credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn, scopes: [`api://${appReg.appId}/read`], grantType: 'AUTHORIZATION_CODE' } } }],
    }));
    const alice = await connectAs('alice');
    try {
      // Alice consented earlier for the same provider and scope: her token works here at once.
      const ok = await alice.client.callTool({ name: 'guarded___get_weather', arguments: { city: 'Riga' } });
      assert.equal((ok.structuredContent as { checkedFor: { preferredUsername: string } }).checkedFor.preferredUsername, entraUsers.alice.username);
      const before = seen.at(-1);
      refusing = true;
      let url = '';
      await assert.rejects(alice.client.callTool({ name: 'guarded___get_weather', arguments: { city: 'Riga' } }), (err: unknown) => {
        assert.ok(err instanceof UrlElicitationRequiredError);
        assert.equal(err.elicitations[0]!.message, 'guarded refused the token Mandate holds for you (revoked or expired): connect your account again: open this link, sign in and consent, then call guarded___get_weather again.');
        url = err.elicitations[0]!.url;
        return true;
      });
      refusing = false;
      assert.match(await consent(url, entraUsers.alice, 'alice'), /Access granted/);
      const again = await alice.client.callTool({ name: 'guarded___get_weather', arguments: { city: 'Riga' } });
      assert.deepEqual((again.structuredContent as { checkedFor: { oid: string } }).checkedFor.oid, oidOf(entraUsers.alice.username));
      assert.notEqual(seen.at(-1), before, 'the call after the new consent carries the new token');
      // The user's tokens went upstream only: never into Mandate's log.
      const tokens = [...new Set(seen)].filter((h) => h.startsWith('Bearer ')).map((h) => h.slice('Bearer '.length));
      assert.ok(tokens.length >= 2, 'the old token and the new one');
      for (const token of tokens) {
        assert.equal(m.logLines.some((l) => l.includes(token) || l.includes(token.split('.')[2]!)), false, 'a vault token in the log');
      }
    } finally {
      await alice.client.close();
    }
  } finally {
    guard.closeAllConnections();
    guard.close();
  }
});

test('a DYNAMIC target lists its tools live with the calling user\'s token: a user who consented sees them, one who has not does not', async () => {
  const providerArn = (await m.control.send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: (await m.control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId }))).items!.find((t) => t.name === 'weather')!.targetId! })))
    .credentialProviderConfigurations![0]!.credentialProvider!.oauthCredentialProvider!.providerArn!;
  const live = await m.control.send(new CreateGatewayTargetCommand({
    gatewayIdentifier: gatewayId, name: 'live', targetConfiguration: { mcp: { mcpServer: { endpoint: weather.url, listingMode: 'DYNAMIC' } } },
    credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn, scopes: [`api://${appReg.appId}/read`], grantType: 'AUTHORIZATION_CODE' } } }],
  }));
  assert.equal((await m.control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId }))).items!.find((t) => t.targetId === live.targetId)!.listingMode, 'DYNAMIC');
  const alice = await connectAs('alice');
  const carol = await connectAs('carol');
  try {
    assert.ok((await alice.client.listTools()).tools.some((t) => t.name === 'live___get_weather'), 'alice consented: the live target lists its tools for her');
    const sessions = await m.identity.services.store.count(collections.authSessions);
    assert.equal((await carol.client.listTools()).tools.some((t) => t.name.startsWith('live___')), false, 'carol has not: nothing from it');
    assert.equal(await m.identity.services.store.count(collections.authSessions), sessions, 'a listing starts no consent');
    const r = await alice.client.callTool({ name: 'live___get_weather', arguments: { city: 'Kyiv' } });
    assert.equal((r.structuredContent as { checkedFor: { oid: string } }).checkedFor.oid, oidOf(entraUsers.alice.username));
    // A name the live server does not know is passed on, and the server's own answer comes back.
    const unknown = await alice.client.callTool({ name: 'live___no_such_tool', arguments: {} });
    assert.equal(unknown.isError, true);
    assert.match((unknown.content as Array<{ text: string }>)[0]!.text, /no_such_tool/);
  } finally {
    await alice.client.close();
    await carol.client.close();
  }
});
