// An MCP server hosted on the runtime (serverProtocol MCP), reached by the official
// @modelcontextprotocol/sdk client that knows only the runtime's URL: 401 → protected resource metadata
// (RFC 9728) → sign-in at the user pool's hosted UI in Chromium (code + PKCE S256) → tools/call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { MemoryOAuthClient, signInAtPool } from '@mandate/emulators/test-mcp-client';
import { decodeJwt } from 'jose';
import { startUserPoolEmulator, type UserPoolEmulator } from '@mandate/emulators';
import { verifyWorkloadAccessToken } from '@mandate/identity/testing';
import { agentDir, baseRuntime, codeArtifact, startMandate, type Mandate } from './harness.ts';

const PASSWORD = 'Correct-Horse-9-Battery';
let m: Mandate;
let emu: UserPoolEmulator;
let cognito: CognitoIdentityProviderClient;
let browser: Browser;
let callback: Server;
let redirectUrl: string;
let clientId: string;
let poolId: string;
let arn: string;
let mcpUrl: URL;

before(async () => {
  callback = createServer((_req, res) => res.end('signed in'));
  await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
  redirectUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  emu = await startUserPoolEmulator({});
  cognito = new CognitoIdentityProviderClient({ region: 'us-west-2', endpoint: emu.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'unused' }, maxAttempts: 1 });
  poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'McpUsers' }))).UserPool!.Id!;
  // A public client (no secret): the MCP client signs in with the code flow and PKCE only.
  clientId = (await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'mcp-client', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: [redirectUrl], SupportedIdentityProviders: ['COGNITO'],
  }))).UserPoolClient!.ClientId!;
  for (const u of ['alice', 'bob']) {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: u, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${u}@example.com` }, { Name: 'email_verified', Value: 'true' }] }));
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: u, Password: PASSWORD, Permanent: true }));
  }
  m = await startMandate({ startTimeoutMs: 60_000 });
  arn = (await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'mcp_server', agentRuntimeArtifact: codeArtifact(agentDir('mcp-server')), ...baseRuntime,
    protocolConfiguration: { serverProtocol: 'MCP' },
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: emu.discoveryUrl(poolId), allowedClients: [clientId], advertisedScopeMapping: { openid: 'openid' } } },
  }))).agentRuntimeArn!;
  mcpUrl = new URL(`${m.url}/runtimes/${encodeURIComponent(arn)}/invocations`);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
});
after(async () => {
  await browser?.close();
  await m?.close();
  cognito?.destroy();
  await emu?.close();
  callback?.close();
});

const signIn = (url: URL, username: string) => signInAtPool(browser, url, username, PASSWORD, redirectUrl);

/** Connects as `username` the way an MCP client does: try, get 401, sign in through the browser, connect again. */
async function connectAs(username: string, url = mcpUrl, registered = true): Promise<{ client: Client; transport: StreamableHTTPClientTransport; provider: MemoryOAuthClient }> {
  const provider = new MemoryOAuthClient(redirectUrl, registered ? clientId : undefined);
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await assert.rejects(new Client({ name: 'test', version: '1' }).connect(first), UnauthorizedError);
  assert.ok(provider.authorizationUrl, 'the client was sent to sign in');
  await first.finishAuth(await signIn(provider.authorizationUrl, username));
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(transport);
  return { client, transport, provider };
}

const whoami = async (client: Client) => {
  const r = await client.callTool({ name: 'whoami', arguments: {} });
  return JSON.parse((r.content as Array<{ text: string }>)[0]!.text) as { runtimeSessionId: string; wat: string; pid: number };
};

test('an unauthenticated MCP request gets 401 with resource_metadata, and the metadata names the user pool', async () => {
  const res = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' });
  assert.equal(res.status, 401);
  const prm = `${m.url}/.well-known/oauth-protected-resource/runtimes/${encodeURIComponent(arn)}/invocations`;
  assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${prm}", scope="openid"`);
  const meta = await (await fetch(prm)).json();
  assert.deepEqual(meta, {
    resource: mcpUrl.href, authorization_servers: [emu.discoveryUrl(poolId).replace('/.well-known/openid-configuration', '')],
    bearer_methods_supported: ['header'], scopes_supported: ['openid'], resource_name: 'mcp_server',
  });
  // A runtime that publishes none and one that does not exist look the same.
  const gone = await fetch(prm.replace(encodeURIComponent(arn), encodeURIComponent(`${arn.slice(0, arn.lastIndexOf('/') + 1)}nosuch-AAAAAAAAAA`)));
  assert.equal(gone.status, 404);
  assert.deepEqual(await gone.json(), { message: 'No protected resource metadata is published here: only MCP runtimes with a JWT authorizer have it.' });
});

test('the official MCP client signs in through the browser (PKCE S256, resource = the runtime URL) and calls a tool as that user', async () => {
  const { client, transport, provider } = await connectAs('alice');
  try {
    const auth = provider.authorizationUrl!;
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(auth.searchParams.get('resource'), mcpUrl.href);
    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((t) => t.name), ['whoami']);
    const who = await whoami(client);
    assert.equal(who.runtimeSessionId, transport.sessionId, "the client's Mcp-Session-Id is Mandate's runtime session id");
    const wat = await verifyWorkloadAccessToken(m.identity.services, who.wat);
    const token = decodeJwt(provider.tokens()!.access_token);
    assert.deepEqual(wat.user, { kind: 'jwt', issuer: token.iss, subject: token.sub });
    assert.equal((await whoami(client)).pid, who.pid, 'the session stays on its agent process');
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('two users each get their own session; one cannot use the other\'s Mcp-Session-Id, and nothing of it is revealed', async () => {
  const a = await connectAs('alice');
  const b = await connectAs('bob');
  try {
    const [wa, wb] = await Promise.all([whoami(a.client), whoami(b.client)]);
    assert.notEqual(wa.pid, wb.pid);
    const [ua, ub] = [(await verifyWorkloadAccessToken(m.identity.services, wa.wat)).user, (await verifyWorkloadAccessToken(m.identity.services, wb.wat)).user];
    assert.equal(ua.kind, 'jwt');
    assert.notDeepEqual(ua, ub, "each user's agent holds that user's WAT");
    const hijack = await fetch(mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.provider.tokens()!.access_token}`, 'mcp-session-id': a.transport.sessionId!, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    assert.equal(hijack.status, 403);
    assert.deepEqual(await hijack.json(), { message: 'This runtime session belongs to another user. Use a new runtime session id.' });
  } finally {
    await a.client.close();
    await b.client.close();
  }
});

test('knowing only the URL: the MCP client registers itself at the user pool (RFC 7591), signs in and calls a tool', async () => {
  // Dynamically registered clients are not known in advance, so this runtime admits any client of the pool holding `openid`.
  const rt = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'mcp_open', agentRuntimeArtifact: codeArtifact(agentDir('mcp-server')), ...baseRuntime,
    protocolConfiguration: { serverProtocol: 'MCP' },
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: emu.discoveryUrl(poolId), allowedScopes: ['openid'] } },
  }));
  const url = new URL(`${m.url}/runtimes/${encodeURIComponent(rt.agentRuntimeArn!)}/invocations`);
  const { client, provider } = await connectAs('alice', url, false);
  try {
    const registered = provider.clientInformation()!;
    assert.notEqual(registered.client_id, clientId, 'a client of its own');
    assert.equal(provider.authorizationUrl!.searchParams.get('client_id'), registered.client_id);
    assert.equal(decodeJwt(provider.tokens()!.access_token).client_id, registered.client_id);
    const who = await whoami(client);
    assert.equal((await verifyWorkloadAccessToken(m.identity.services, who.wat)).user.kind, 'jwt');
  } finally {
    await client.close();
  }
});

test('the mandate:mcp-resource tag sets the advertised resource (an IdP App ID URI that prefixes the URL); anything else is refused', async () => {
  const create = (name: string, tags: Record<string, string>) => m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: name, agentRuntimeArtifact: codeArtifact(agentDir('mcp-server')), ...baseRuntime, tags,
    protocolConfiguration: { serverProtocol: 'MCP' },
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: emu.discoveryUrl(poolId), allowedClients: [clientId] } },
  }));
  const tagged = (await create('mcp_tagged', { 'mandate:mcp-resource': m.url })).agentRuntimeArn!;
  const meta = await (await fetch(`${m.url}/.well-known/oauth-protected-resource/runtimes/${encodeURIComponent(tagged)}/invocations`)).json() as { resource: string };
  assert.equal(meta.resource, m.url);
  await assert.rejects(create('mcp_badtag', { 'mandate:mcp-resource': 'https://elsewhere.example.com' }), {
    name: 'ValidationException', message: /^The tag mandate:mcp-resource must be the runtime's MCP URL or a same-origin path prefix of it/,
  });
});
