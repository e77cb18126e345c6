// A2A agents on the runtime (serverProtocol A2A), built with the maintained A2A SDK, reached through the
// unmodified AWS data-plane client: GetAgentCard and InvokeAgentRuntime carrying A2A JSON-RPC.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateAgentRuntimeCommand, GetAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { BedrockAgentCoreClient, GetAgentCardCommand, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { agentDir, baseRuntime, codeArtifact, REGION, sessionId, sseEvents, startMandate, type Mandate } from './harness.ts';

let m: Mandate;
let arn: string;
let id: string;
before(async () => {
  m = await startMandate({ startTimeoutMs: 60_000 });
  const rt = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'a2a_agent', agentRuntimeArtifact: codeArtifact(agentDir('a2a-agent')), ...baseRuntime,
    protocolConfiguration: { serverProtocol: 'A2A' },
  }));
  arn = rt.agentRuntimeArn!;
  id = rt.agentRuntimeId!;
});
after(async () => {
  await m?.close();
});

/** A2A v1.0 JSON-RPC (SendMessage, SendStreamingMessage): proto-JSON parts, ROLE_* roles. */
const rpc = (method: string, text: string) => new TextEncoder().encode(JSON.stringify({
  jsonrpc: '2.0', id: 1, method,
  params: { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text, mediaType: 'text/plain' }] } },
}));

/** A2A v0.3 JSON-RPC (message/send, message/stream), what a caller without an A2A-Version header speaks. */
const rpc03 = (method: string, text: string) => new TextEncoder().encode(JSON.stringify({
  jsonrpc: '2.0', id: 2, method,
  params: { message: { kind: 'message', messageId: randomUUID(), role: 'user', parts: [{ kind: 'text', text }] } },
}));

test('CreateAgentRuntime accepts serverProtocol A2A and GetAgentRuntime reports it', async () => {
  const rt = await m.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
  assert.deepEqual(rt.protocolConfiguration, { serverProtocol: 'A2A' });
});

/** The official data-plane client, sending `A2A-Version: 1.0` (what an A2A v1.0 caller adds). */
function v1Client(): BedrockAgentCoreClient {
  const client = new BedrockAgentCoreClient({ endpoint: m.url, region: REGION, credentials: m.admin, maxAttempts: 1 });
  client.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['a2a-version'] = '1.0';
    return next(args);
  }, { step: 'build', name: 'a2aVersion' });
  return client;
}

test('GetAgentCard returns the agent\'s card with its interface URLs rewritten to Mandate\'s invocation URL (v0.3 and v1.0 shapes)', async () => {
  const sid = sessionId('card');
  const invocationUrl = `${m.url}/runtimes/${encodeURIComponent(arn)}/invocations/`;
  const out = await m.data.send(new GetAgentCardCommand({ agentRuntimeArn: arn, runtimeSessionId: sid }));
  assert.equal(out.runtimeSessionId, sid);
  const legacy = out.agentCard as { name: string; url: string; protocolVersion: string; skills: Array<{ id: string }> };
  assert.equal(legacy.name, 'Echo A2A Agent');
  assert.equal(legacy.url, invocationUrl, 'no A2A-Version: the v0.3 card, its url rewritten');
  assert.deepEqual(legacy.skills.map((s) => s.id), ['echo']);
  const client = v1Client();
  try {
    const v1 = (await client.send(new GetAgentCardCommand({ agentRuntimeArn: arn, runtimeSessionId: sid }))).agentCard as { supportedInterfaces: Array<{ url: string; protocolVersion: string }> };
    assert.deepEqual(v1.supportedInterfaces.map((i) => [i.url, i.protocolVersion]), [[invocationUrl, '1.0'], [invocationUrl, '0.3']]);
  } finally {
    client.destroy();
  }
});

test('InvokeAgentRuntime relays A2A v0.3 JSON-RPC: message/send answers with the agent\'s message; message/stream streams SSE', async () => {
  const sid = sessionId('a2a');
  const out = await m.data.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, runtimeSessionId: sid, payload: rpc03('message/send', 'hello'), contentType: 'application/json', accept: 'application/json' }));
  const body = JSON.parse(await out.response!.transformToString()) as { jsonrpc: string; id: number; result: { kind: string; role: string; parts: Array<{ kind: string; text: string }> } };
  assert.equal(body.id, 2);
  assert.equal(body.result.kind, 'message');
  assert.equal(body.result.role, 'agent');
  assert.deepEqual(body.result.parts.map((p) => p.text), [`echo: hello (session ${sid})`], 'the agent got the session id Mandate passed');

  const streamed = await m.data.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, runtimeSessionId: sid, payload: rpc03('message/stream', 'again'), contentType: 'application/json', accept: 'text/event-stream' }));
  assert.match(streamed.contentType!, /^text\/event-stream/);
  const events = sseEvents(await streamed.response!.transformToString()) as Array<{ result: { parts: Array<{ text: string }> } }>;
  assert.deepEqual(events.map((e) => e.result.parts[0]!.text), [`echo: again (session ${sid})`]);
});

test('A2A v1.0: the A2A-Version header reaches the agent, and SendMessage answers in the v1.0 shape', async () => {
  const sid = sessionId('a2a1');
  const client = v1Client();
  try {
    const out = await client.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, runtimeSessionId: sid, payload: rpc('SendMessage', 'v1'), contentType: 'application/json', accept: 'application/json' }));
    const body = JSON.parse(await out.response!.transformToString()) as { result: { message: { role: string; parts: Array<{ text: string }> } } };
    assert.equal(body.result.message.role, 'ROLE_AGENT');
    assert.equal(body.result.message.parts[0]!.text, `echo: v1 (session ${sid})`);
  } finally {
    client.destroy();
  }
});

test('GetAgentCard on an HTTP runtime is a ValidationException', async () => {
  const http = await m.control.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'plain_http', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime }));
  await assert.rejects(m.data.send(new GetAgentCardCommand({ agentRuntimeArn: http.agentRuntimeArn! })), (e: Error) => {
    assert.equal(e.name, 'ValidationException');
    assert.equal(e.message, `Agent runtime ${http.agentRuntimeId} serves HTTP, which has no agent card; GetAgentCard needs an A2A runtime.`);
    return true;
  });
});
