import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { agentDir, baseRuntime, codeArtifact, sessionId, sseEvents, startMandate, type Mandate } from './harness.ts';

let m: Mandate;
const arns: Record<string, string> = {};

before(async () => {
  m = await startMandate({ startTimeoutMs: 15_000, invocationTimeoutMs: 6_000, maxLiveSessions: 4, sweepIntervalMs: 3_600_000 });
  for (const [name, dir] of [['app', 'app-agent'], ['never', 'never-ready'], ['exits', 'exit-at-start'], ['hang', 'hang']] as const) {
    const rt = await m.control.send(new CreateAgentRuntimeCommand({ agentRuntimeName: `f_${name}`, agentRuntimeArtifact: codeArtifact(agentDir(dir)), ...baseRuntime }));
    arns[name] = rt.agentRuntimeArn!;
  }
});
after(() => m.close());

const invoke = (arn: string, body: unknown, sid = sessionId('f'), accept = 'application/json, text/event-stream') =>
  m.data.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, runtimeSessionId: sid, runtimeUserId: 'u1', payload: new TextEncoder().encode(JSON.stringify(body)), contentType: 'application/json', accept }));

async function clientError(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'RuntimeClientError');
    assert.equal(e.message, message);
    assert.equal(e.$metadata.httpStatusCode, 424);
    return true;
  });
}

test('crash, handler error, hang, never-listening and exit-at-start agents give RuntimeClientError; a healthy session is unaffected', async () => {
  const healthy = sessionId('healthy');
  const before = sseEvents(await (await invoke(arns.app!, { op: 'whoami' }, healthy)).response!.transformToString()) as Array<{ pid?: number }>;
  const pid = before[1]!.pid;

  // The agent's own error body (with a "code" field) is never passed through.
  await clientError(invoke(arns.app!, { op: 'fail' }), 'The agent returned an error (HTTP 500).');
  await clientError(invoke(arns.app!, { op: 'crash' }), 'The agent could not be reached or closed the connection before responding.');
  await clientError(invoke(arns.hang!, {}), 'The agent did not respond in time.');
  const t0 = Date.now();
  await clientError(invoke(arns.exits!, {}), 'The agent process exited before it was ready to serve requests.');
  assert.ok(Date.now() - t0 < 6_000, 'an exiting agent is reported at once, not after the start timeout');
  await clientError(invoke(arns.never!, {}), 'The agent did not answer /ping within 15 s of starting.');
  assert.equal(m.runtime.sessions.list().some((s) => s.runtimeId.startsWith('f_never')), false, 'the never-ready process was killed');

  const after = sseEvents(await (await invoke(arns.app!, { op: 'whoami' }, healthy)).response!.transformToString()) as Array<{ pid?: number }>;
  assert.equal(after[1]!.pid, pid, 'the healthy session kept its process');
  // Agent output reached the Mandate log, prefixed with runtime and session.
  assert.ok(m.logLines.some((l) => l.includes('"msg":"agent stderr"') && l.includes('fatal: missing configuration') && l.includes('"agentRuntimeId":"f_exits-')));
  assert.ok(!m.logLines.some((l) => l.includes('mwat1.')), 'no WAT in the log');
});

test('a crashed session is restarted on its next invocation', async () => {
  const sid = sessionId('restart');
  await clientError(invoke(arns.app!, { op: 'crash' }, sid), 'The agent could not be reached or closed the connection before responding.');
  const events = sseEvents(await (await invoke(arns.app!, { op: 'whoami' }, sid)).response!.transformToString());
  assert.equal(events.length, 3);
});

test('live sessions are capped: past the cap InvokeAgentRuntime is throttled', async () => {
  await Promise.all(m.runtime.sessions.list().map((s) => m.runtime.sessions.stop(s.runtimeId, s.sessionId)));
  const sids = Array.from({ length: 4 }, (_, i) => sessionId(`cap${i}`));
  for (const s of sids) await (await invoke(arns.app!, { op: 'remember' }, s, 'application/json')).response!.transformToString();
  assert.equal(m.runtime.sessions.size, 4);
  await assert.rejects(invoke(arns.app!, { op: 'remember' }, sessionId('cap-over'), 'application/json'), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'ThrottlingException');
    assert.equal(e.message, 'Too many live runtime sessions (limit 4). Stop a session or retry later.');
    assert.equal(e.$metadata.httpStatusCode, 429);
    return true;
  });
  // Existing sessions still work at the cap.
  const ok = await invoke(arns.app!, { op: 'remember' }, sids[0]!, 'application/json');
  assert.equal(ok.statusCode, 200);
});

test('a caller that goes away mid-stream releases the session; the next call works', async () => {
  await Promise.all(m.runtime.sessions.list().map((s) => m.runtime.sessions.stop(s.runtimeId, s.sessionId)));
  const sid = sessionId('abort');
  await (await invoke(arns.app!, { op: 'remember' }, sid, 'application/json')).response!.transformToString();
  const out = await invoke(arns.app!, { op: 'whoami' }, sid);
  const stream = (out.response as unknown as { destroy(): void; once(e: string, f: () => void): void });
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.destroy();
  const s = m.runtime.sessions.list().find((x) => x.sessionId === sid)!;
  for (let i = 0; i < 50 && s.inflight > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.inflight, 0);
  const again = await invoke(arns.app!, { op: 'remember' }, sid, 'application/json');
  assert.equal(again.statusCode, 200);
});
