import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAgentRuntimeCommand, CreateApiKeyCredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { InvokeAgentRuntimeCommand, StopRuntimeSessionCommand } from '@aws-sdk/client-bedrock-agentcore';
import { verifyWorkloadAccessToken } from '@mandate/identity/testing';
import { agentDir, baseRuntime, codeArtifact, sessionId, sseEvents, startMandate, type Mandate } from './harness.ts';

let m: Mandate;
let arn: string;
let id: string;
before(async () => {
  process.env.MANDATE_TEST_SECRET = 'must-not-reach-agents';
  m = await startMandate({ startTimeoutMs: 60_000 });
  const rt = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'sigv4_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    environmentVariables: { AGENT_GREETING: 'hello' },
  }));
  arn = rt.agentRuntimeArn!;
  id = rt.agentRuntimeId!;
});
after(async () => {
  delete process.env.MANDATE_TEST_SECRET;
  await m.close();
});

test('InvokeAgentRuntime (SigV4 + runtimeUserId) streams SSE from the official app; withWAT sees the WAT Mandate minted', async () => {
  const sid = sessionId('sig');
  const t0 = Date.now();
  const out = await m.data.send(new InvokeAgentRuntimeCommand({
    agentRuntimeArn: arn, runtimeSessionId: sid, runtimeUserId: 'user-42',
    payload: new TextEncoder().encode(JSON.stringify({ op: 'whoami' })),
    contentType: 'application/json', accept: 'application/json, text/event-stream',
  }));
  assert.equal(out.statusCode, 200);
  assert.equal(out.runtimeSessionId, sid);
  assert.match(out.contentType!, /^text\/event-stream/);
  // The body is a live stream: the first event arrives before the agent has finished.
  const reader = (out.response as unknown as { transformToWebStream(): ReadableStream<Uint8Array> }).transformToWebStream().getReader();
  const dec = new TextDecoder();
  let text = '';
  const firstAt: number[] = [];
  let step1At = 0;
  let lastEventWithStep1 = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
    firstAt.push(Date.now() - t0);
    if (!step1At && text.includes('"step":1')) {
      step1At = Date.now();
      lastEventWithStep1 = text.includes('"done":true');
    }
  }
  // The agent sleeps 150 ms between events: streamed means the first event reached us before the
  // last one was produced (a load-independent check; buffering would deliver them together).
  assert.equal(lastEventWithStep1, false, 'streamed, not buffered: the first event arrived on its own');
  const events = sseEvents(text) as Array<Record<string, unknown>>;
  assert.deepEqual(events.map((e) => e.step), [1, 2, 3]);
  assert.equal(events[0]!.sessionId, sid);
  assert.match(String(events[0]!.requestId), /^[0-9a-f-]{36}$/);
  const e2 = events[1]!;
  assert.equal(e2.wat, e2.workloadAccessToken, 'withWAT and the context agree');
  const wat = await verifyWorkloadAccessToken(m.identity.services, String(e2.wat));
  assert.equal(wat.workloadName, id);
  assert.deepEqual(wat.user, { kind: 'userId', userId: 'user-42' });
  assert.equal(e2.oauth2CallbackUrl, `${m.url}/identities/oauth2/return`);
  assert.deepEqual(e2.env, { region: 'us-west-2', endpoint: m.url, custom: 'hello', leaked: null });
  // Allowlist is empty: no Authorization reaches the agent.
  assert.deepEqual(e2.headerNames, ['x-amz-bedrock-agentcore-identity-wat']);
  assert.ok(firstAt.length >= 2, 'several chunks');
});

test('the SDK defaults (octet-stream, no Accept) still reach the app: JSON body relabelled, Accept filled', async () => {
  const out = await m.data.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, runtimeUserId: 'user-42', payload: new TextEncoder().encode(JSON.stringify({ op: 'whoami' })) }));
  assert.equal(out.statusCode, 200);
  assert.match(out.runtimeSessionId!, /^[0-9a-f-]{36}$/, 'the SDK generated a session id and Mandate echoed it');
  const events = sseEvents(await out.response!.transformToString()) as Array<Record<string, unknown>>;
  assert.equal(events.length, 3);
});

test('the agent calls back into Mandate with its workload credentials and the WAT (withApiKey)', async () => {
  await m.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'weather-key', apiKey: 'k-123456789' }));
  const out = await m.data.send(new InvokeAgentRuntimeCommand({
    agentRuntimeArn: arn, runtimeSessionId: sessionId('apikey'), runtimeUserId: 'user-42',
    payload: new TextEncoder().encode(JSON.stringify({ op: 'apikey', providerName: 'weather-key' })), contentType: 'application/json', accept: 'application/json',
  }));
  assert.deepEqual(JSON.parse(await out.response!.transformToString()), { apiKey: 'k-123456789' });
});

test('a session belongs to its user: another runtimeUserId with the same session id is refused; StopRuntimeSession', async () => {
  const sid = sessionId('own');
  const call = (user: string) => m.data.send(new InvokeAgentRuntimeCommand({
    agentRuntimeArn: arn, runtimeSessionId: sid, runtimeUserId: user, payload: new TextEncoder().encode('{"op":"remember"}'), contentType: 'application/json', accept: 'application/json',
  }));
  const first = JSON.parse(await (await call('alice')).response!.transformToString()) as { pid: number };
  await assert.rejects(call('mallory'), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, 'This runtime session belongs to another user. Use a new runtime session id.');
    assert.equal(e.$metadata.httpStatusCode, 403);
    return true;
  });
  const again = JSON.parse(await (await call('alice')).response!.transformToString()) as { pid: number };
  assert.equal(again.pid, first.pid, 'same session, same process');
  const stopped = await m.data.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn, runtimeSessionId: sid, qualifier: 'DEFAULT' }));
  assert.equal(stopped.statusCode, 200);
  assert.equal(stopped.runtimeSessionId, sid);
  assert.equal(m.runtime.sessions.list().some((s) => s.sessionId === sid), false, 'the process is gone');
  await assert.rejects(m.data.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn, runtimeSessionId: sid })), (e: Error) => {
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.message, `Runtime session ${sid} was not found.`);
    return true;
  });
  // The id is free again: a new first caller owns it, with a fresh process.
  const fresh = JSON.parse(await (await call('mallory')).response!.transformToString()) as { pid: number; token: null };
  assert.notEqual(fresh.pid, first.pid);
});

test('bare runtime id + accountId, unknown runtimes, bearer on a SigV4 runtime', async () => {
  const res = await fetch(`${m.url}/runtimes/${id}/invocations?accountId=999999999999`, { method: 'POST', body: '{}' });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
  const bearer = await fetch(`${m.url}/runtimes/${encodeURIComponent(arn)}/invocations`, { method: 'POST', headers: { authorization: 'Bearer abc.def.ghi' }, body: '{}' });
  assert.equal(bearer.status, 403);
  assert.equal(bearer.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  assert.deepEqual(await bearer.json(), { message: 'Authorization method mismatch. This agent runtime is configured for AWS SigV4 (IAM) authorization.' });
  const unsigned = await fetch(`${m.url}/runtimes/${id}/invocations?accountId=123456789012`, { method: 'POST', body: '{}' });
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  const missing = await m.data.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn.replace(/-[A-Za-z0-9]{10}$/, '-AAAAAAAAAA'), payload: new Uint8Array() })).catch((e: Error) => e);
  assert.equal((missing as Error).name, 'ResourceNotFoundException');
});

test('bad data-plane input is one ValidationException naming every bad member, before anything starts', async () => {
  const live = m.runtime.sessions.list().length;
  const err = await m.data.send(new InvokeAgentRuntimeCommand({
    agentRuntimeArn: arn, runtimeSessionId: 'too-short', qualifier: 'not a name', runtimeUserId: 'user-42',
    payload: new TextEncoder().encode('{}'), contentType: 'application/json',
  })).then(() => undefined, (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } });
  assert.equal(err?.name, 'ValidationException');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(err.message, "2 validation errors detected: Value at 'qualifier' failed to satisfy constraint: must match ^[a-zA-Z][a-zA-Z0-9_]{0,47}$; Value at 'runtimeSessionId' failed to satisfy constraint: Member must be 33 to 256 printable characters");
  const stop = await m.data.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn, runtimeSessionId: undefined as unknown as string }))
    .then(() => undefined, (e: unknown) => e as { name: string; message: string });
  assert.equal(stop?.name, 'ValidationException');
  assert.equal(stop.message, "1 validation error detected: Value at 'runtimeSessionId' failed to satisfy constraint: Member must not be null");
  assert.equal(m.runtime.sessions.list().length, live, 'no agent process was started');
});
