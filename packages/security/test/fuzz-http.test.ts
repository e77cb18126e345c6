// Item 5: property-based fuzzing (fast-check) of every HTTP route of a live Mandate (identity control and data
// planes, OAuth browser routes, runtime control and data planes) and of both emulators' public endpoints.
// Bodies are shaped by each operation's own zod schema with wrong types and hostile strings mixed in at every
// node, plus raw garbage; headers, query strings and paths are fuzzed too. Signed requests carry a fresh,
// valid SigV4 signature (so the fuzzer reaches past authentication); a share is sent unsigned or mis-signed.
// Properties: no 500 and no 5xx but the documented 502/503 (an unreachable provider) from Mandate, no 5xx at all
// from the emulators, an answer within 12 s, no "unhandled error" in any log, and every server still answers
// afterwards. Bounded by runs and by time (about 3 s per surface); MANDATE_SOAK=1 runs 20x longer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BedrockAgentCoreClient, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForUserIdCommand } from '@aws-sdk/client-bedrock-agentcore';
import {
  CreateAgentRuntimeCommand, CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand, GetWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { memoryLogger } from '@mandate/core';
import { createAccessKey, type AccessKeyCredentials } from '@mandate/edge';
import { controlOperations } from '@mandate/identity/testing';
import { dataOperations } from '@mandate/identity/testing';
import { collections, type WorkloadIdentityDoc } from '@mandate/identity/testing';
import type { Operation } from '@mandate/identity/testing';
import { demoSeed, startEntraEmulator, type EntraEmulator } from '@mandate/emulators';
import { trustCa } from '@mandate/emulators';
import { demoUserPoolSeed, startUserPoolEmulator, type UserPoolEmulator } from '@mandate/emulators';
import { userPoolOperations } from '@mandate/emulators';
import { controlOperations as runtimeControlOperations } from '@mandate/runtime/testing';
import { createGatewayRouter, type GatewayHandle } from '@mandate/gateway';
import { controlOperations as gatewayControlOperations } from '@mandate/gateway/testing';
import { CreateGatewayCommand, CreateGatewayTargetCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { agentDir, baseRuntime, codeArtifact, startMandate, type Mandate } from '@mandate/runtime/test-harness';
import { awsEncode, send, signRequest, type FuzzRequest, type FuzzResponse } from './helpers/fuzz-client.ts';
import { garbageBodyArb, headerValueArb, jsonArb, queryArb, shapedArb, stringArb, type Pools } from './helpers/fuzz-arbitraries.ts';

const SOAK = process.env.MANDATE_SOAK === '1' ? 20 : 1;
const BUDGET_MS = 2500 * SOAK;
// Longer than Mandate's own longest outbound timeout (10 s to a token endpoint): beyond it, a request is a hang.
const TIMEOUT_MS = 12_000;
const REGION = 'us-west-2';
const RETURN_URL = 'https://app.example.test/return';

let m: Mandate;
let gateway: GatewayHandle;
let gatewayUrl = '';
let gatewaySession = '';
let poolUserToken = '';
let gatewayInbound: { discoveryUrl: string; allowedClients: string[] } | undefined;
let entra: EntraEmulator;
let pool: UserPoolEmulator;
const entraLog = memoryLogger('info');
const poolLog = memoryLogger('info');
let admin: AccessKeyCredentials;
let agentKey: AccessKeyCredentials;
let base: URL;
let pools: Pools;
let tenantId: string;
let poolId: string;
const tally = new Map<string, number>();
let requests = 0;

before(async () => {
  const seed = demoSeed();
  tenantId = seed.tenants[0]!.id;
  const app = seed.tenants[0]!.apps![0]!;
  entra = await startEntraEmulator({ seed, headless: true, logger: entraLog });
  trustCa(entra.caCertPem);
  const poolSeed = demoUserPoolSeed();
  pool = await startUserPoolEmulator({ seed: poolSeed, logger: poolLog });
  const p = pool.poolByName('DemoUserPool')!;
  poolId = p.id;
  const clientId = p.clients[0]!.clientId;
  const cognito = new CognitoIdentityProviderClient({ region: REGION, endpoint: pool.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 'x' }, maxAttempts: 1 });
  const u = poolSeed.pools[0]!.users[0]!;
  const userToken = (await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: u.username, PASSWORD: u.password } }))).AuthenticationResult!.AccessToken!;
  cognito.destroy();

  m = await startMandate({ startTimeoutMs: 60_000, maxLiveSessions: 2 }, { entraAuthorityBase: entra.url });
  base = new URL(m.url);
  admin = m.admin;
  const inbound = { discoveryUrl: pool.discoveryUrl(poolId), allowedClients: [clientId] };
  await m.control.send(new CreateWorkloadIdentityCommand({ name: 'fuzz-wl', allowedResourceOauth2ReturnUrls: [RETURN_URL] }));
  const rec = await m.identity.services.store.get<WorkloadIdentityDoc>(collections.workloadIdentities, 'fuzz-wl');
  await m.identity.services.store.put(collections.workloadIdentities, 'fuzz-wl', { ...rec!.doc, inboundJwt: [inbound] });
  const provider = await m.control.send(new CreateOauth2CredentialProviderCommand({
    name: 'entra', credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: app.appId, clientSecret: app.clientSecrets![0]!.value, tenantId } },
  }));
  entra.directory.addRedirectUri(tenantId, app.appId, provider.callbackUrl!);
  await m.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'fuzz-key', apiKey: 'sk-fuzz-canary' }));
  // A JWT runtime no user-pool client is allowed into: invocations are authenticated and refused before any
  // agent process starts (fuzzing agent processes is the runtime's own tests' job).
  const rt = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'fuzz_rt', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: inbound.discoveryUrl, allowedClients: ['nobody'] } },
  }));
  // The MCP gateway on the same router, behind the user pool, with one target whose server is down (every
  // tools/call reaches the upstream code path and fails there, as it must, without a 500).
  gateway = createGatewayRouter(m.identity.services, m.identity.port, {}, m.identity.router);
  const gw = await m.control.send(new CreateGatewayCommand({ name: 'fuzz-gw', roleArn: 'arn:aws:iam::123456789012:role/gw', authorizerType: 'CUSTOM_JWT', authorizerConfiguration: { customJWTAuthorizer: inbound } }));
  const target = await m.control.send(new CreateGatewayTargetCommand({
    gatewayIdentifier: gw.gatewayId!, name: 'fuzz-target',
    targetConfiguration: { mcp: { mcpServer: { endpoint: 'http://127.0.0.1:1/mcp', mcpToolSchema: { inlinePayload: JSON.stringify([{ name: 'echo', inputSchema: { type: 'object' } }]) } } } },
  }));
  poolUserToken = userToken;
  gatewayInbound = inbound;
  agentKey = await createAccessKey(m.identity.services, { role: 'workload', workloadName: 'fuzz-wl', allowUserIdTokens: true });
  const agent = new BedrockAgentCoreClient({ endpoint: m.url, region: REGION, credentials: agentKey, maxAttempts: 1 });
  const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'fuzz-wl', userId: 'fuzz-user' }))).workloadAccessToken!;
  const flow = await agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: [`api://${app.appId}/read`], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
  }));
  agent.destroy();
  pools = {
    known: [
      'fuzz-wl', 'entra', 'fuzz-key', 'fuzz_rt', rt.agentRuntimeId!, rt.agentRuntimeArn!, rec!.doc.workloadIdentityArn, provider.credentialProviderArn!, wat, userToken,
      flow.sessionUri!, new URL(flow.authorizationUrl!).searchParams.get('request_uri')!, RETURN_URL, provider.callbackUrl!.split('/').pop()!,
      'USER_FEDERATION', 'M2M', 'ON_BEHALF_OF_TOKEN_EXCHANGE', 'CustomOauth2', 'MicrosoftOauth2', 'DEFAULT', 'fuzz-user', `api://${app.appId}/read`,
      tenantId, app.appId, 'common', 'organizations', poolId, clientId, u.username, 'USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'authorization_code',
      gw.gatewayId!, gw.gatewayArn!, target.targetId!, 'fuzz-target', 'fuzz-target___echo', 'fuzz-gw',
      'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:device_code', 'code', 'S256', 'plain',
    ],
  };
});
after(async () => {
  await gateway?.close();
  await m?.close();
  await entra?.close();
  await pool?.close();
});

/** The property every Mandate answer must have; the emulators (strict) may not answer 5xx at all. */
function judge(r: FuzzResponse, where: string, strict: boolean): void {
  if (r.status === -1) return; // Node refused to put this request on the wire
  requests++;
  const type = String(r.headers['x-amzn-errortype'] ?? r.status);
  tally.set(type, (tally.get(type) ?? 0) + 1);
  const detail = `${where} -> ${r.status} ${type} ${r.body.slice(0, 300)}`;
  if (strict) assert.ok(r.status < 500, detail);
  assert.notEqual(r.status, 500, detail);
  assert.ok(r.status < 504, detail);
  if (type === 'InternalServerException') assert.equal(r.status, 503, detail);
}

const fuzzRun = (arb: fc.Arbitrary<() => Promise<void>>) => fc.assert(fc.asyncProperty(arb, (go) => go()), {
  numRuns: 400 * SOAK, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, endOnFailure: true,
});

type Signer = 'admin' | 'agent' | 'none' | 'bad';
const signerArb = (weights: [number, number, number, number]) => fc.oneof(
  { weight: weights[0], arbitrary: fc.constant<Signer>('admin') }, { weight: weights[1], arbitrary: fc.constant<Signer>('agent') },
  { weight: weights[2], arbitrary: fc.constant<Signer>('none') }, { weight: weights[3], arbitrary: fc.constant<Signer>('bad') },
);

async function sendMandate(req: FuzzRequest, signer: Signer, where: string): Promise<void> {
  if (signer !== 'none') {
    await signRequest(req, base.host, signer === 'agent' ? agentKey : admin, REGION);
    if (signer === 'bad') req.headers.authorization = req.headers.authorization!.replace(/Signature=[0-9a-f]{4}/, 'Signature=0000');
  }
  judge(await send(base, req, TIMEOUT_MS), where, false);
}

/** Fills `:param` segments with known values or fuzzed strings, percent-encoded as a client would. */
function pathArb(pattern: string): fc.Arbitrary<string> {
  const parts = pattern.split('/');
  return fc.tuple(...parts.map((p) => (p.startsWith(':') ? stringArb(pools).map(awsEncode) : fc.constant(p)))).map((xs) => xs.join('/'));
}

function operationArb(ops: readonly Operation[], signers: fc.Arbitrary<Signer>): fc.Arbitrary<() => Promise<void>> {
  return fc.oneof(...ops.map((op) => fc.record({
    path: pathArb(op.path),
    body: fc.oneof({ weight: 5, arbitrary: shapedArb(op.input, pools).map((v) => Buffer.from(JSON.stringify(v) ?? '')) }, { weight: 1, arbitrary: garbageBodyArb() }),
    query: queryArb(pools, ['nextToken', 'maxResults', 'qualifier', 'tagKeys']),
    wait: fc.option(fc.constantFrom('0', '1', '-1', 'abc', '1e309', 'NaN', ''), { freq: 4 }),
    contentType: fc.constantFrom('application/json', 'application/x-amz-json-1.1', 'text/plain', ''),
    signer: signers,
  }).map((x) => async () => {
    const headers: Record<string, string> = {};
    if (x.contentType) headers['content-type'] = x.contentType;
    if (x.wait !== null) headers['x-mandate-wait'] = x.wait;
    await sendMandate({ method: op.method, path: x.path, query: x.query, headers, body: x.body }, x.signer, `${op.method} ${op.path} [${x.signer}]`);
  })));
}

test('fuzz: identity, runtime and gateway control planes (schema-shaped bodies, signed by an admin key)', { timeout: 60_000 * SOAK }, async () => {
  const ops = [...controlOperations, ...runtimeControlOperations(m.runtime.env), ...gatewayControlOperations(gateway.env)];
  assert.ok(ops.length >= 30, `${ops.length} control operations`);
  const before = requests;
  const passedAuth = () => [...tally.entries()].filter(([t]) => !['InvalidSignatureException', 'IncompleteSignatureException', 'UnrecognizedClientException', 'MissingAuthenticationTokenException'].includes(t)).reduce((a, [, n]) => a + n, 0);
  const passedBefore = passedAuth();
  await fuzzRun(operationArb(ops, signerArb([20, 1, 1, 1])));
  assert.ok(passedAuth() - passedBefore > (requests - before) * 0.7, 'most signed requests got past SigV4 (the fuzzer reaches the handlers)');
});

test('fuzz: identity data plane (schema-shaped bodies, signed by the workload\'s key or an admin key)', { timeout: 60_000 * SOAK }, async () => {
  await fuzzRun(operationArb(dataOperations, signerArb([3, 6, 1, 1])));
});

test('fuzz: OAuth browser routes (query strings, paths, headers)', { timeout: 60_000 * SOAK }, async () => {
  const routes = ['/identities/oauth2/authorize', '/identities/oauth2/callback/:id', '/identities/oauth2/return', '/identities/oauth2/return/login'];
  await fuzzRun(fc.record({
    path: fc.oneof(...routes.map(pathArb)),
    method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD'),
    query: queryArb(pools, ['request_uri', 'code', 'state', 'session_id', 'error', 'error_description', 'iss', 'id_token', 'redirect_uri']),
    cookie: fc.option(headerValueArb, { freq: 3 }),
    // The built-in return page's user-pool sign-in form posts state, username and password.
    form: queryArb({ known: [...pools.known, `rf.${'A'.repeat(43)}`, `rl.${'A'.repeat(43)}`, 'rf.', 'rl.'] }, ['state', 'username', 'password']),
  }).map((x) => async () => {
    const headers: Record<string, string> = x.cookie === null ? {} : { cookie: x.cookie };
    let body = Buffer.alloc(0);
    if (x.method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = Buffer.from(new URLSearchParams(x.form.map(([k, v]): [string, string] => [k.toWellFormed(), v.toWellFormed()])).toString());
    }
    judge(await send(base, { method: x.method, path: x.path, query: x.query, headers, body }, TIMEOUT_MS), `${x.method} ${x.path}`, false);
  }));
});

test('fuzz: runtime data plane (invocations, stop session, ping) with fuzzed bearer tokens, SigV4 and headers', { timeout: 60_000 * SOAK }, async () => {
  const routes: Array<[string, string]> = [['POST', '/runtimes/:arn/invocations'], ['POST', '/runtimes/:arn/stopruntimesession'], ['GET', '/ping']];
  await fuzzRun(fc.record({
    route: fc.constantFrom(...routes),
    arn: stringArb(pools).map(awsEncode),
    query: queryArb(pools, ['qualifier']),
    auth: fc.oneof(stringArb(pools).map((t) => `Bearer ${t}`), headerValueArb, fc.constant(null)),
    sessionId: fc.option(fc.oneof(stringArb(pools), fc.stringMatching(/^[A-Za-z0-9-]{33,100}$/)), { freq: 2 }),
    userId: fc.option(stringArb(pools), { freq: 4 }),
    body: fc.oneof(jsonArb(pools).map((v) => Buffer.from(JSON.stringify(v) ?? '')), garbageBodyArb()),
    signer: signerArb([2, 0, 3, 1]),
  }).map((x) => async () => {
    const [method, pattern] = x.route;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (x.sessionId !== null) headers['x-amzn-bedrock-agentcore-runtime-session-id'] = x.sessionId;
    if (x.userId !== null) headers['x-amzn-bedrock-agentcore-runtime-user-id'] = x.userId;
    const req: FuzzRequest = { method, path: pattern.replace(':arn', x.arn), query: x.query, headers, body: x.body };
    if (x.signer === 'none' && x.auth !== null) req.headers.authorization = x.auth;
    await sendMandate(req, x.signer, `${method} ${pattern} [${x.signer}]`);
  }));
});

test('fuzz: the gateway MCP endpoint (JSON-RPC shaped and garbage bodies, real and fuzzed bearer tokens and session ids)', { timeout: 60_000 * SOAK }, async () => {
  // A gateway of its own (the control-plane fuzzing before may have changed fuzz-gw), with a live session.
  const gw = await m.control.send(new CreateGatewayCommand({ name: 'fuzz-gw-mcp', roleArn: 'arn:aws:iam::123456789012:role/gw', authorizerType: 'CUSTOM_JWT', authorizerConfiguration: { customJWTAuthorizer: gatewayInbound! } }));
  gatewayUrl = gw.gatewayUrl!;
  await m.control.send(new CreateGatewayTargetCommand({
    gatewayIdentifier: gw.gatewayId!, name: 'fuzz-target',
    targetConfiguration: { mcp: { mcpServer: { endpoint: 'http://127.0.0.1:1/mcp', mcpToolSchema: { inlinePayload: JSON.stringify([{ name: 'echo', inputSchema: { type: 'object' } }]) } } } },
  }));
  const init = await fetch(gatewayUrl, { method: 'POST', headers: { authorization: `Bearer ${poolUserToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'f', version: '1' } } }) });
  gatewaySession = init.headers.get('mcp-session-id')!;
  assert.ok(gatewaySession, 'the fuzzer has a gateway session');
  const methods = ['initialize', 'tools/list', 'tools/call', 'ping', 'notifications/initialized', 'prompts/list', 'resources/read'];
  const answered = () => tally.get('200') ?? 0;
  const answeredBefore = answered();
  await fuzzRun(fc.record({
    httpMethod: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'DELETE'),
    path: fc.oneof({ weight: 6, arbitrary: fc.constant(new URL(gatewayUrl).pathname) }, { weight: 1, arbitrary: stringArb(pools).map((x) => `/gateways/${awsEncode(x)}/mcp`) }),
    auth: fc.oneof({ weight: 5, arbitrary: fc.constant(`Bearer ${poolUserToken}`) }, { weight: 1, arbitrary: stringArb(pools).map((t) => `Bearer ${t}`) }, { weight: 1, arbitrary: fc.constant(null) }),
    session: fc.oneof({ weight: 4, arbitrary: fc.constant(gatewaySession) }, { weight: 1, arbitrary: stringArb(pools) }, { weight: 1, arbitrary: fc.constant(null) }),
    version: fc.option(fc.constantFrom('2025-11-25', '2025-06-18', '1999-01-01', ''), { freq: 2 }),
    body: fc.oneof(
      // Mostly well-formed requests (so the methods are reached), with every member sometimes wrong or missing.
      { weight: 8, arbitrary: fc.record({
        jsonrpc: fc.oneof({ weight: 8, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: fc.constantFrom('1.0', 2, null) }),
        id: fc.oneof({ weight: 6, arbitrary: fc.integer() }, { weight: 1, arbitrary: stringArb(pools) }, { weight: 1, arbitrary: fc.constant(null) }),
        method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: stringArb(pools) }),
        params: fc.oneof(jsonArb(pools), fc.record({ name: fc.oneof(fc.constantFrom('fuzz-target___echo', 'fuzz-target___x', '___'), stringArb(pools)), arguments: jsonArb(pools) }, { requiredKeys: [] })),
      }, { requiredKeys: ['jsonrpc', 'method'] }).map((v) => Buffer.from(JSON.stringify(v))) },
      { weight: 1, arbitrary: jsonArb(pools).map((v) => Buffer.from(JSON.stringify(v) ?? '')) },
      { weight: 1, arbitrary: garbageBodyArb() },
    ),
  }).map((x) => async () => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (x.auth !== null) headers.authorization = x.auth;
    // DELETE ends the session it names: only ever a fuzzed one, so the real session stays usable for the run.
    if (x.session !== null) headers['mcp-session-id'] = x.httpMethod === 'DELETE' && x.session === gatewaySession ? `${x.session}x` : x.session;
    if (x.version !== null) headers['mcp-protocol-version'] = x.version;
    await sendMandate({ method: x.httpMethod, path: x.path, query: [], headers, body: x.body }, 'none', `${x.httpMethod} gateway /mcp`);
  }));
  assert.ok(answered() - answeredBefore > 20, 'the fuzzer reaches the gateway\'s methods (JSON-RPC answers, HTTP 200)');
});

test('fuzz: any method on any path of Mandate (routing, raw garbage)', { timeout: 60_000 * SOAK }, async () => {
  await fuzzRun(fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'),
    segments: fc.array(fc.oneof(fc.constantFrom('identities', 'runtimes', 'gateways', 'mcp', 'tags', 'oauth2', 'callback', 'invocations', '..', '.', '%2e%2e', '%2F', '', '%', '%zz'), stringArb(pools).map(awsEncode)), { maxLength: 5 }),
    query: queryArb(pools, []),
    body: garbageBodyArb(),
    signer: signerArb([2, 1, 2, 1]),
  }).map((x) => async () => {
    await sendMandate({ method: x.method, path: `/${x.segments.join('/')}`, query: x.query, headers: {}, body: x.body }, x.signer, `${x.method} /${x.segments.join('/')}`);
  }));
});

test('fuzz: Entra emulator endpoints (discovery, keys, authorize, token, device code, logout, interactions, admin API)', { timeout: 60_000 * SOAK }, async () => {
  const eurl = new URL(entra.url);
  const routes: Array<[string, string, boolean]> = [
    ['GET', '/:tenant/v2.0/.well-known/openid-configuration', false], ['GET', '/:tenant/discovery/v2.0/keys', false], ['GET', '/:tenant/oauth2/v2.0/authorize', false],
    ['POST', '/:tenant/oauth2/v2.0/authorize', true], ['GET', '/:tenant/oauth2/v2.0/logout', false], ['POST', '/:tenant/oauth2/v2.0/token', true],
    ['POST', '/:tenant/oauth2/v2.0/devicecode', true], ['GET', '/:tenant/emulator/interaction/:uid', false], ['POST', '/:tenant/emulator/interaction/:uid/login', true],
    ['POST', '/:tenant/emulator/interaction/:uid/consent', true], ['GET', '/devicelogin', false], ['POST', '/devicelogin', true],
    ['GET', '/_emulator/tenants', false], ['POST', '/_emulator/tenants/:tenant/users', false], ['POST', '/_emulator/tenants/:tenant/apps', false],
    ['POST', '/_emulator/tenants/:tenant/apps/:appId/redirect-uris', false], ['POST', '/_emulator/tenants/:tenant/admin-consents', false],
  ];
  const params = ['client_id', 'scope', 'redirect_uri', 'response_type', 'response_mode', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'login_hint',
    'grant_type', 'code', 'code_verifier', 'refresh_token', 'client_secret', 'client_assertion', 'client_assertion_type', 'assertion', 'requested_token_use', 'device_code', 'username', 'password'];
  await fuzzRun(fc.record({
    route: fc.constantFrom(...routes),
    tenant: fc.oneof(fc.constantFrom(tenantId, 'common', 'organizations', 'consumers'), stringArb(pools).map(awsEncode)),
    query: queryArb(pools, params),
    form: queryArb(pools, params),
    json: jsonArb(pools),
    admin: fc.boolean(),
  }).map((x) => async () => {
    const [method, pattern, formBody] = x.route;
    const path = pattern.replace(':tenant', x.tenant).replace(':uid', awsEncode(x.tenant)).replace(':appId', awsEncode(x.tenant));
    const isAdmin = pattern.startsWith('/_emulator');
    const headers: Record<string, string> = {};
    let body = Buffer.alloc(0);
    if (method === 'POST') {
      headers['content-type'] = formBody ? 'application/x-www-form-urlencoded' : 'application/json';
      body = Buffer.from(formBody ? new URLSearchParams(x.form).toString() : JSON.stringify(x.json) ?? '');
    }
    if (isAdmin && x.admin) headers.authorization = `Bearer ${entra.adminToken}`;
    judge(await send(eurl, { method, path, query: x.query, headers, body }, TIMEOUT_MS, entra.caCertPem), `entra ${method} ${pattern}`, true);
  }));
});

test('fuzz: user pool emulator (every X-Amz-Target operation, discovery, JWKS, hosted UI)', { timeout: 60_000 * SOAK }, async () => {
  const purl = new URL(pool.url);
  const targets = [...userPoolOperations.keys()];
  const fields = ['UserPoolId', 'ClientId', 'Username', 'Password', 'AuthFlow', 'AuthParameters', 'ChallengeName', 'ChallengeResponses', 'Session', 'AccessToken', 'PoolName',
    'ClientName', 'UserAttributes', 'TemporaryPassword', 'Permanent', 'Filter', 'Limit', 'PaginationToken', 'MaxResults', 'NextToken', 'ExplicitAuthFlows', 'GenerateSecret', 'CallbackURLs'];
  const bodyArb = fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...fields), jsonArb(pools), { maxKeys: 6 }).map((o) => Buffer.from(JSON.stringify(o))) },
    { weight: 1, arbitrary: garbageBodyArb() },
  );
  await fuzzRun(fc.oneof(
    fc.record({ target: fc.oneof(fc.constantFrom(...targets), stringArb(pools)), body: bodyArb, signed: fc.boolean() }).map((x) => async () => {
      const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${x.target}`.replace(/[^\x21-\x7e]/g, '') };
      if (x.signed) headers.authorization = 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/cognito-idp/aws4_request, SignedHeaders=host, Signature=00';
      judge(await send(purl, { method: 'POST', path: '/', query: [], headers, body: x.body }, TIMEOUT_MS), `userpool ${x.target}`, true);
    }),
    fc.record({
      route: fc.constantFrom('GET /:pool/.well-known/openid-configuration', 'GET /:pool/.well-known/jwks.json', 'GET /:pool/oauth2/authorize', 'POST /:pool/login',
        'POST /:pool/new-password', 'POST /:pool/oauth2/token', 'GET /:pool/oauth2/userInfo', 'POST /:pool/oauth2/userInfo'),
      pool: fc.oneof(fc.constant(poolId), stringArb(pools).map(awsEncode)),
      query: queryArb(pools, ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce']),
      form: queryArb(pools, ['grant_type', 'code', 'client_id', 'redirect_uri', 'code_verifier', 'refresh_token', 'username', 'password', 'session']),
      auth: fc.option(stringArb(pools).map((t) => `Bearer ${t}`.replace(/[^\x20-\x7e]/g, '')), { freq: 2 }),
    }).map((x) => async () => {
      const [method, pattern] = x.route.split(' ') as [string, string];
      const headers: Record<string, string> = method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {};
      if (x.auth !== null) headers.authorization = x.auth;
      const body = Buffer.from(method === 'POST' ? new URLSearchParams(x.form).toString() : '');
      judge(await send(purl, { method, path: pattern.replace(':pool', x.pool), query: x.query, headers, body }, TIMEOUT_MS), `userpool ${x.route}`, true);
    }),
  ));
});

test('after the fuzzing: every server still answers correctly and no log holds an unhandled error', async () => {
  const wl = await m.control.send(new GetWorkloadIdentityCommand({ name: 'fuzz-wl' }));
  assert.equal(wl.name, 'fuzz-wl');
  assert.equal((await fetch(`${m.url}/ping`)).status, 200);
  assert.equal((await fetch(`${entra.url}/${tenantId}/v2.0/.well-known/openid-configuration`)).status, 200);
  assert.equal((await fetch(pool.discoveryUrl(poolId))).status, 200);
  for (const [name, lines] of [['mandate', m.logLines], ['entra', entraLog.lines], ['userpool', poolLog.lines]] as const) {
    const bad = lines.filter((l) => /unhandled error|route failed|"level":"error"/.test(l));
    assert.deepEqual(bad.map((l) => l.slice(0, 400)), [], `${name} logged errors`);
  }
  console.log(`fuzz: ${requests} requests; answers by type: ${JSON.stringify(Object.fromEntries([...tally.entries()].sort((a, b) => b[1] - a[1])))}`);
  // Time-bounded, so the count depends on the machine's load; this only proves the fuzzer ran.
  assert.ok(requests > 200, `${requests} requests`);
});
