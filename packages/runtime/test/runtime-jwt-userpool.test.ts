import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CognitoIdentityProviderClient, CreateUserPoolClientCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetWorkloadAccessTokenForJWTCommand, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { decodeJwt } from 'jose';
import { demoUserPoolSeed, startUserPoolEmulator, type UserPoolEmulator } from '@mandate/emulators';
import { verifyWorkloadAccessToken } from '@mandate/identity/testing';
import { RuntimeClient } from 'bedrock-agentcore/runtime';
import { agentDir, baseRuntime, bearerInvoke, codeArtifact, REGION, sessionId, sseEvents, startMandate, type Mandate } from './harness.ts';
import { isOpened, openWs, type Opened, type Refused } from './ws-client.ts';

const seed = demoUserPoolSeed();
const users = seed.pools[0]!.users;
let m: Mandate;
let emu: UserPoolEmulator;
let cognito: CognitoIdentityProviderClient;
let arn: string;
let runtimeId: string;
let demoClientId: string;
let otherClientId: string;
let issuer: string;
const tokens: Record<string, string> = {};

async function signIn(clientId: string, username: string, password: string): Promise<string> {
  const r = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
  return r.AuthenticationResult!.AccessToken!;
}

before(async () => {
  emu = await startUserPoolEmulator({ seed });
  cognito = new CognitoIdentityProviderClient({ region: 'us-west-2', endpoint: emu.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-verified-by-the-emulator' }, maxAttempts: 1 });
  const pool = emu.poolByName('DemoUserPool')!;
  issuer = pool.issuer;
  demoClientId = pool.clients.find((c) => c.clientName === 'DemoClient')!.clientId;
  otherClientId = (await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: pool.id, ClientName: 'Other', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
  for (const u of users) tokens[u.username] = await signIn(demoClientId, u.username, u.password);
  m = await startMandate({ startTimeoutMs: 60_000 });
  const rt = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'jwt_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: emu.discoveryUrl(pool.id), allowedClients: [demoClientId] } },
    requestHeaderConfiguration: { requestHeaderAllowlist: ['Authorization'] },
  }));
  arn = rt.agentRuntimeArn!;
  runtimeId = rt.agentRuntimeId!;
});
after(async () => {
  await m?.close();
  cognito?.destroy();
  await emu?.close();
});

test('testuser1 and testuser2 each invoke with their own Cognito token and get their own session and WAT', async () => {
  const seen: Record<string, { pid: number; sid: string }> = {};
  for (const u of ['testuser1', 'testuser2']) {
    const sid = sessionId(u);
    const res = await bearerInvoke(m, arn, tokens[u], { op: 'whoami' }, { sessionId: sid });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-amzn-bedrock-agentcore-runtime-session-id'), sid);
    const events = sseEvents(await res.text()) as Array<Record<string, unknown>>;
    assert.equal(events[0]!.sessionId, sid);
    const wat = await verifyWorkloadAccessToken(m.identity.services, String(events[1]!.wat));
    assert.deepEqual(wat.user, { kind: 'jwt', issuer, subject: decodeJwt(tokens[u]!).sub });
    assert.equal(wat.workloadName, runtimeId);
    assert.equal(wat.userToken, tokens[u], 'the user token travels sealed in the WAT for on-behalf-of exchange');
    assert.deepEqual(events[1]!.headerNames, ['authorization', 'x-amz-bedrock-agentcore-identity-wat'], 'Authorization is allow-listed');
    seen[u] = { pid: Number(events[1]!.pid), sid };
  }
  assert.notEqual(seen.testuser1!.pid, seen.testuser2!.pid, 'one process per session');
  // testuser2 cannot ride on testuser1's session.
  const hijack = await bearerInvoke(m, arn, tokens.testuser2, { op: 'whoami' }, { sessionId: seen.testuser1!.sid });
  assert.equal(hijack.status, 403);
  assert.equal(hijack.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  assert.deepEqual(await hijack.json(), { message: 'This runtime session belongs to another user. Use a new runtime session id.' });
});

test('a global variable in the agent never leaks user A\'s token to user B across 50 interleaved invocations', async () => {
  const sids = { testuser1: sessionId('g1'), testuser2: sessionId('g2') };
  const one = async (u: 'testuser1' | 'testuser2') => {
    const res = await bearerInvoke(m, arn, tokens[u], { op: 'remember' }, { sessionId: sids[u], headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { token: string }).token;
  };
  const order = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 'testuser1' : 'testuser2') as 'testuser1' | 'testuser2');
  // Interleaved: issued concurrently in waves of 10, alternating users.
  for (let i = 0; i < order.length; i += 10) {
    const wave = order.slice(i, i + 10);
    const got = await Promise.all(wave.map(one));
    wave.forEach((u, j) => assert.equal(got[j], `Bearer ${tokens[u]}`, `invocation ${i + j} for ${u}`));
  }
});

test('a token from a client that is not allowed, a forged or missing token, and SigV4 on a JWT runtime are refused', async () => {
  const u = users[0]!;
  const other = await signIn(otherClientId, u.username, u.password);
  for (const t of [other, tokens.testuser1!.slice(0, -4) + 'AAAA', 'not-a-jwt']) {
    const res = await bearerInvoke(m, arn, t, { op: 'whoami' });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-amzn-errortype'), 'UnauthorizedException');
    assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    assert.deepEqual(await res.json(), { message: 'The bearer token is not valid for this resource.' });
  }
  const none = await bearerInvoke(m, arn, undefined, { op: 'whoami' });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  await assert.rejects(m.data.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, payload: new TextEncoder().encode('{}') })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, 'Authorization method mismatch. This agent runtime is configured for OAuth (bearer token) authorization.');
    assert.equal(e.$metadata.httpStatusCode, 403);
    return true;
  });
});

test('the runtime\'s workload identity trusts the same issuer: GetWorkloadAccessTokenForJWT accepts the user pool token', async () => {
  const r = await m.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: runtimeId, userToken: tokens.testuser1! }));
  const wat = await verifyWorkloadAccessToken(m.identity.services, r.workloadAccessToken!);
  assert.deepEqual(wat.user, { kind: 'jwt', issuer, subject: decodeJwt(tokens.testuser1!).sub });
});

/** The bedrock-agentcore RuntimeClient's OAuth WebSocket connection (Authorization header), dialled on Mandate's loopback port. */
async function oauthWs(token: string, sid: string): Promise<Opened | Refused> {
  process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = m.url;
  try {
    const rc = new RuntimeClient({ region: REGION, credentialsProvider: async () => m.admin });
    const { url, headers } = await rc.generateWsConnectionOAuth({ runtimeArn: arn, sessionId: sid, bearerToken: token });
    return await openWs(url, [], { headers });
  } finally {
    delete process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT;
  }
}

test('WebSocket with an OAuth bearer (header, or Sec-WebSocket-Protocol as the SDK encodes it): each user gets their own session and WAT', async () => {
  const sid = sessionId('wsjwt');
  const c = await oauthWs(tokens.testuser1!, sid);
  assert.ok(isOpened(c), JSON.stringify(c));
  c.ws.send(JSON.stringify({ op: 'whoami' }));
  const who = await c.next() as { sessionId: string; wat: string; headerNames: string[] };
  assert.equal(who.sessionId, sid);
  const wat = await verifyWorkloadAccessToken(m.identity.services, who.wat);
  assert.deepEqual(wat.user, { kind: 'jwt', issuer, subject: decodeJwt(tokens.testuser1!).sub });
  assert.equal(wat.userToken, tokens.testuser1);
  c.ws.close();
  await c.closed;

  // The subprotocol carrier (what the SDK's shell client and browsers use): the token is never echoed back.
  const url = `ws://127.0.0.1:${new URL(m.url).port}/runtimes/${encodeURIComponent(arn)}/ws?X-Amzn-Bedrock-AgentCore-Runtime-Session-Id=${sessionId('wsproto')}`;
  const encoded = Buffer.from(tokens.testuser2!).toString('base64url');
  const p = await openWs(url, [`base64UrlBearerAuthorization.${encoded}`, 'base64UrlBearerAuthorization']);
  assert.ok(isOpened(p), JSON.stringify(p));
  assert.equal(p.headers['sec-websocket-protocol'], 'base64UrlBearerAuthorization');
  p.ws.send(JSON.stringify({ op: 'whoami' }));
  const who2 = await p.next() as { wat: string; protocol: string };
  assert.deepEqual((await verifyWorkloadAccessToken(m.identity.services, who2.wat)).user, { kind: 'jwt', issuer, subject: decodeJwt(tokens.testuser2!).sub });
  assert.equal(who2.protocol, '', 'the bearer carrier is Mandate\'s, not offered to the agent');
  p.ws.close();
  await p.closed;
});

test('WebSocket refusals before the upgrade: another user\'s session id (403), a token of another client (401), no token (401)', async () => {
  const sid = sessionId('wsown');
  const a = await oauthWs(tokens.testuser1!, sid);
  assert.ok(isOpened(a));
  a.ws.close();
  assert.deepEqual(await oauthWs(tokens.testuser2!, sid), {
    status: 403, errorType: 'AccessDeniedException', body: { message: 'This runtime session belongs to another user. Use a new runtime session id.' },
  });
  const other = await signIn(otherClientId, users[0]!.username, users[0]!.password);
  assert.deepEqual(await oauthWs(other, sessionId('wsother')), {
    status: 401, errorType: 'UnauthorizedException', body: { message: 'The bearer token is not valid for this resource.' },
  });
  const url = `ws://127.0.0.1:${new URL(m.url).port}/runtimes/${encodeURIComponent(arn)}/ws`;
  const none = await openWs(url, []);
  assert.equal((none as Refused).status, 401);
  assert.equal((none as Refused).errorType, 'UnauthorizedException');
});

test('a user\'s bearer token cannot run commands in a session (they would see the agent\'s credentials)', async () => {
  const res = await fetch(`${m.url}/runtimes/${encodeURIComponent(arn)}/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.testuser1}`, 'content-type': 'application/json', 'x-amzn-bedrock-agentcore-runtime-session-id': sessionId('cmdjwt') },
    body: JSON.stringify({ command: 'env' }),
  });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  assert.deepEqual(await res.json(), { message: 'Running commands in a runtime session needs an admin access key: a command sees the agent\'s environment and credentials, which serve every user of the runtime.' });
});
