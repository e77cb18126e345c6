// Entra as the gateway's identity provider, reached by the official MCP SDK client knowing only the gateway
// URL. MCP clients send the protected resource metadata's `resource` to the identity provider (RFC 8707),
// and Entra accepts only an exact Application ID URI there: the gateway URL is refused (AADSTS500011), as
// real Entra refuses it. With the `mandate:mcp-resource` tag the gateway advertises one of the app's App ID
// URIs instead (a same-origin prefix of its URL, which MCP clients accept), and the sign-in succeeds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateGatewayCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { demoSeed, startEntraEmulator, trustCa, type EntraEmulator } from '@mandate/emulators';
import { MemoryOAuthClient } from '@mandate/emulators/test-mcp-client';
import { ROLE_ARN, startMandate, type Mandate } from './harness.ts';

const seed = demoSeed();
const tenant = seed.tenants[0]!;
const alice = tenant.users![0]!;
const appId = randomUUID();
const redirectUrl = 'http://127.0.0.1:8765/callback';
let entra: EntraEmulator;
let m: Mandate;
let resourceUri = '';

before(async () => {
  entra = await startEntraEmulator({ seed, headless: true });
  trustCa(entra.caCertPem);
  m = await startMandate();
  // The gateway's app registration: a public client (the desktop MCP client) exposing `mcp.access`, whose
  // Application ID URI is Mandate's origin.
  resourceUri = m.url;
  entra.directory.addApp(tenant.id, {
    appId, displayName: 'mcp-gateway', signInAudience: 'AzureADMyOrg', redirectUris: [redirectUrl], publicClient: true, clientSecrets: [], certificates: [],
    identifierUris: [resourceUri], scopes: [{ value: 'mcp.access', adminConsentRequired: false }], appRoles: [], grantedAppRoles: {}, accessTokenAcceptedVersion: 2,
  } as never);
});
after(async () => {
  await m?.close();
  await entra?.close();
});

async function gateway(name: string, tags?: Record<string, string>): Promise<URL> {
  const gw = await m.control.send(new CreateGatewayCommand({
    name, roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', ...(tags ? { tags } : {}),
    authorizerConfiguration: { customJWTAuthorizer: {
      discoveryUrl: `${entra.url}/${tenant.id}/v2.0/.well-known/openid-configuration`, allowedAudience: [appId], advertisedScopeMapping: { 'mcp.access': `${resourceUri}/mcp.access` },
    } },
  }));
  return new URL(gw.gatewayUrl!);
}

/** The browser's part, headless: the emulator signs the hinted user in and consents; returns where it redirected. */
async function authorize(url: URL): Promise<URL> {
  url.searchParams.set('login_hint', alice.username);
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  return new URL(res.headers.get('location')!, url);
}

test('the gateway URL as resource is refused by Entra (AADSTS500011), as MCP clients meet it today', async () => {
  const url = await gateway('entra-default');
  const oauth = new MemoryOAuthClient(redirectUrl, appId);
  await assert.rejects(new Client({ name: 'desktop', version: '1' }).connect(new StreamableHTTPClientTransport(url, { authProvider: oauth })), UnauthorizedError);
  assert.equal(oauth.authorizationUrl!.searchParams.get('resource'), url.href);
  const back = await authorize(oauth.authorizationUrl!);
  assert.equal(back.searchParams.get('error'), 'invalid_resource');
  assert.match(back.searchParams.get('error_description')!, /^AADSTS500011: The resource principal named http:\/\/127\.0\.0\.1:\d+\/gateways\/.+\/mcp was not found/);
});

test('with mandate:mcp-resource set to the app\'s App ID URI, the official MCP client signs in at Entra and uses the gateway', async () => {
  const url = await gateway('entra-tagged', { 'mandate:mcp-resource': resourceUri });
  const meta = await (await fetch(`${m.url}/.well-known/oauth-protected-resource${url.pathname}`)).json() as { resource: string; scopes_supported: string[] };
  assert.deepEqual([meta.resource, meta.scopes_supported], [resourceUri, [`${resourceUri}/mcp.access`]]);
  const oauth = new MemoryOAuthClient(redirectUrl, appId);
  const first = new StreamableHTTPClientTransport(url, { authProvider: oauth });
  await assert.rejects(new Client({ name: 'desktop', version: '1' }).connect(first), UnauthorizedError);
  assert.equal(oauth.authorizationUrl!.searchParams.get('resource'), resourceUri);
  const back = await authorize(oauth.authorizationUrl!);
  assert.equal(back.searchParams.get('error'), null, back.searchParams.get('error_description') ?? '');
  await first.finishAuth(back.searchParams.get('code')!);
  const client = new Client({ name: 'desktop', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: oauth }));
  try {
    assert.deepEqual((await client.listTools()).tools, []);
  } finally {
    await client.close();
  }
});

test('a resource tag that is not a prefix of the gateway URL is refused at creation', async () => {
  for (const bad of ['https://elsewhere.example.com', `${resourceUri}/runtimes`, `${resourceUri}/?x=1`]) {
    await assert.rejects(gateway(`entra-bad-${Math.random().toString(36).slice(2, 8)}`, { 'mandate:mcp-resource': bad }), {
      name: 'ValidationException', message: /^The tag mandate:mcp-resource must be the gateway URL or a same-origin path prefix of it/,
    });
  }
});
