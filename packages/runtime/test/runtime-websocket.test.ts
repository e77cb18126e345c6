// The runtime's WebSocket (/runtimes/{arn}/ws), driven by the unmodified bedrock-agentcore RuntimeClient
// (SigV4 headers and presigned URLs here; OAuth bearer in runtime-websocket-oauth.test.ts) against an
// agent on the official BedrockAgentCoreApp with a websocketHandler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { StopRuntimeSessionCommand } from '@aws-sdk/client-bedrock-agentcore';
import { RuntimeClient } from 'bedrock-agentcore/runtime';
import { verifyWorkloadAccessToken } from '@mandate/identity/testing';
import { agentDir, baseRuntime, codeArtifact, REGION, sessionId, startMandate, type Mandate } from './harness.ts';
import { isOpened, openWs, type Opened, type Refused } from './ws-client.ts';

const MAX_PAYLOAD = 64 * 1024;
let m: Mandate;
let arn: string;
let runtimeId: string;
let client: RuntimeClient;

before(async () => {
  m = await startMandate({ startTimeoutMs: 60_000, maxPayloadBytes: MAX_PAYLOAD });
  const rt = await m.control.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'ws_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime }));
  arn = rt.agentRuntimeArn!;
  runtimeId = rt.agentRuntimeId!;
  // The SDK's documented endpoint override; it signs for the endpoint's host name.
  process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = m.url;
  client = new RuntimeClient({ region: REGION, credentialsProvider: async () => m.admin });
});
after(async () => {
  delete process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT;
  await m?.close();
});

function opened(x: Opened | Refused): Opened {
  if (!isOpened(x)) assert.fail(`refused: ${JSON.stringify(x)}`);
  return x;
}

async function sigv4(sid: string): Promise<Opened> {
  const { url, headers } = await client.generateWsConnection({ runtimeArn: arn, sessionId: sid });
  return opened(await openWs(url, [], { headers }));
}

/**
 * The SDK builds presigned URLs as `wss://{hostname}{path}` (port dropped: it assumes AWS's 443). Here
 * Mandate listens on a loopback port without TLS, so the test dials that port and sends the Host the URL
 * names, as a TLS front on 443 would; the signed URL itself is untouched.
 */
function dialPresigned(presigned: string): { url: string; headers: Record<string, string> } {
  const u = new URL(presigned);
  return { url: `ws://127.0.0.1:${new URL(m.url).port}${u.pathname}${u.search}`, headers: { host: u.host } };
}

test('SigV4 headers: frames flow both ways (text as text, binary as binary) and the agent gets the session, its headers and a WAT', async () => {
  const sid = sessionId('ws');
  const c = await sigv4(sid);
  assert.equal(c.headers['x-amzn-bedrock-agentcore-runtime-session-id'], sid);
  c.ws.send(JSON.stringify({ op: 'whoami' }));
  const who = await c.next() as { sessionId: string; wat: string; headerNames: string[] };
  assert.equal(who.sessionId, sid);
  const wat = await verifyWorkloadAccessToken(m.identity.services, who.wat);
  assert.equal(wat.workloadName, runtimeId);
  assert.deepEqual(wat.user, { kind: 'none' });
  assert.deepEqual(who.headerNames, ['x-amz-bedrock-agentcore-identity-wat'], 'neither the SigV4 headers nor Mandate internals reach the agent');
  c.ws.send(JSON.stringify({ op: 'echo', text: 'héllo' }));
  assert.deepEqual(await c.next(), { echo: 'héllo' });
  c.ws.send(Buffer.from([1, 2, 3, 4]), { binary: true });
  assert.deepEqual(await c.next(), Buffer.from([4, 3, 2, 1]));
  c.ws.send(JSON.stringify({ op: 'burst', n: 500 }));
  const got: number[] = [];
  for (let i = 0; i < 500; i++) got.push((await c.next() as { i: number }).i);
  assert.deepEqual(got, [...Array(500).keys()], 'every frame of a burst, in order');
  c.ws.close(4002, 'client done');
  assert.deepEqual(await c.closed, { code: 4002, reason: 'client done' });
  // The agent saw the client's own close code (asked on a new connection to the same session's process).
  const again = await sigv4(sid);
  again.ws.send(JSON.stringify({ op: 'lastClose' }));
  assert.deepEqual(await again.next(), { lastClose: { code: 4002, reason: 'client done' } });
  again.ws.send(JSON.stringify({ op: 'close', code: 4001 }));
  assert.deepEqual(await again.closed, { code: 4001, reason: 'agent closed it' }, "the agent's close code and reason reach the caller");
});

test('presigned URL: opens; a tampered, expired or foreign-region URL is refused before the upgrade', async () => {
  const sid = sessionId('pre');
  const presigned = await client.generatePresignedUrl({ runtimeArn: arn, sessionId: sid, expires: 60 });
  const d = dialPresigned(presigned);
  const c = opened(await openWs(d.url, [], { headers: d.headers }));
  c.ws.send(JSON.stringify({ op: 'whoami' }));
  assert.equal((await c.next() as { sessionId: string }).sessionId, sid, 'the session id signed into the URL is used');
  c.ws.close();
  await c.closed;

  const tampered = dialPresigned(presigned.replace(sid, sessionId('other')));
  assert.deepEqual(await openWs(tampered.url, [], { headers: tampered.headers }), {
    status: 403, errorType: 'InvalidSignatureException',
    body: { message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' },
  });

  const short = dialPresigned(await client.generatePresignedUrl({ runtimeArn: arn, sessionId: sid, expires: 1 }));
  await new Promise((r) => setTimeout(r, 1100));
  assert.deepEqual(await openWs(short.url, [], { headers: short.headers }), { status: 403, errorType: 'InvalidSignatureException', body: { message: 'Request has expired.' } });

  const east = new RuntimeClient({ region: 'us-east-1', credentialsProvider: async () => m.admin });
  const foreign = dialPresigned(await east.generatePresignedUrl({ runtimeArn: arn, sessionId: sid }));
  const r = await openWs(foreign.url, [], { headers: foreign.headers });
  assert.equal((r as Refused).status, 403);
  assert.equal((r as Refused).errorType, 'InvalidSignatureException');
});

test('presigned query authentication is accepted on /ws only: the same URL shape on InvokeAgentRuntime is refused', async () => {
  const presigned = new URL(await client.generatePresignedUrl({ runtimeArn: arn, sessionId: sessionId('inv') }));
  const res = await fetch(`${m.url}${presigned.pathname.replace(/\/ws$/, '/invocations')}${presigned.search}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
});

test('unsigned, wrongly signed and non-WebSocket requests get an HTTP error and no agent is started', async () => {
  const live = m.runtime.sessions.list().length;
  const url = `ws://127.0.0.1:${new URL(m.url).port}/runtimes/${encodeURIComponent(arn)}/ws`;
  assert.deepEqual(await openWs(url, [], { headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': sessionId('anon') } }), {
    status: 403, errorType: 'MissingAuthenticationTokenException', body: { message: 'Missing Authentication Token' },
  });
  const bad = await openWs(`${url}?qualifier=no%20such`, [], {});
  assert.equal((bad as Refused).status, 400);
  assert.equal((bad as Refused).errorType, 'ValidationException');
  const plain = await fetch(`${m.url}/runtimes/${encodeURIComponent(arn)}/ws`);
  assert.equal(plain.status, 400, 'a plain GET is not a WebSocket handshake');
  assert.deepEqual(await plain.json(), { message: 'This path only takes a WebSocket opening handshake (GET with Upgrade: websocket).' });
  const unknown = await openWs(`ws://127.0.0.1:${new URL(m.url).port}/nowhere`, []);
  assert.equal((unknown as Refused).status, 404);
  assert.equal(m.runtime.sessions.list().length, live);
});

test('a frame over the payload limit closes the socket with 1009; StopRuntimeSession closes it with 1000', async () => {
  const big = await sigv4(sessionId('big'));
  big.ws.send(Buffer.alloc(MAX_PAYLOAD + 1), { binary: true });
  assert.equal((await big.closed).code, 1009);

  const sid = sessionId('stop');
  const c = await sigv4(sid);
  c.ws.send(JSON.stringify({ op: 'echo', text: 'up' }));
  assert.deepEqual(await c.next(), { echo: 'up' });
  await m.data.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn, runtimeSessionId: sid }));
  assert.deepEqual(await c.closed, { code: 1000, reason: 'Runtime session stopped' });
});

test('an agent that serves no /ws is a 424 RuntimeClientError before the upgrade, not a socket that opens and dies', async () => {
  const rt = await m.control.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'http_only', agentRuntimeArtifact: codeArtifact(agentDir('http-only')), ...baseRuntime }));
  const { url, headers } = await client.generateWsConnection({ runtimeArn: rt.agentRuntimeArn!, sessionId: sessionId('nows') });
  assert.deepEqual(await openWs(url, [], { headers }), {
    status: 424, errorType: 'RuntimeClientError',
    body: { message: 'The agent does not serve WebSockets: its app has no /ws handler (BedrockAgentCoreApp websocketHandler).' },
  });
});

test('an agent that dies mid-stream: the socket closes with 1011 and the next connection to the session gets a new process', async () => {
  const sid = sessionId('crash');
  const c = await sigv4(sid);
  c.ws.send(JSON.stringify({ op: 'crash' }));
  const { crashing } = await c.next() as { crashing: number };
  assert.equal((await c.closed).code, 1011);
  // The process's exit is reported on its own event; until then a connection may still meet the dying agent (424).
  let again: Opened | undefined;
  for (let i = 0; i < 50 && !again; i++) {
    const { url, headers } = await client.generateWsConnection({ runtimeArn: arn, sessionId: sid });
    const r = await openWs(url, [], { headers });
    if (isOpened(r)) again = r;
    else await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(again, 'the session came back');
  again.ws.send(JSON.stringify({ op: 'whoami' }));
  const who = await again.next() as { pid: number };
  assert.notEqual(who.pid, crashing);
  again.ws.close();
});
