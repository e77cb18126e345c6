import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { ManualClock } from '@mandate/core';
import { agentDir, baseRuntime, codeArtifact, sessionId, startMandate, type Mandate } from './harness.ts';

// Real time for SigV4 (the SDK signs with the wall clock); Mandate's clock is moved by hand to reach the timeouts.
const clock = new ManualClock(Date.now());
let m: Mandate;
let arn: string;
before(async () => {
  m = await startMandate({ sweepIntervalMs: 3_600_000, startTimeoutMs: 60_000 }, { clock });
  arn = (await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'life_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    lifecycleConfiguration: { idleRuntimeSessionTimeout: 60, maxLifetime: 180 },
  }))).agentRuntimeArn!;
});
after(() => m.close());

const invoke = async (sid: string, body: unknown) => {
  const r = await m.data.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, runtimeSessionId: sid, runtimeUserId: 'u', payload: new TextEncoder().encode(JSON.stringify(body)), contentType: 'application/json', accept: 'application/json' }));
  return JSON.parse(await r.response!.transformToString()) as Record<string, unknown>;
};
const live = (sid: string) => m.runtime.sessions.list().some((s) => s.sessionId === sid);

test('idle sessions stop after idleRuntimeSessionTimeout unless /ping says HealthyBusy; every session stops at maxLifetime', async () => {
  const idle = sessionId('idle');
  const busy = sessionId('busy');
  await invoke(idle, { op: 'remember' });
  await invoke(busy, { op: 'busy', ms: 600_000 });
  clock.advance(59_000);
  await m.runtime.sessions.sweep();
  assert.deepEqual([live(idle), live(busy)], [true, true], 'not idle long enough yet');
  clock.advance(2_000);
  await m.runtime.sessions.sweep();
  assert.deepEqual([live(idle), live(busy)], [false, true], 'idle stopped; HealthyBusy kept');
  // The stopped session's id still belongs to its user and starts a fresh process on next use.
  assert.equal((await invoke(idle, { op: 'remember' })).token, null);
  clock.advance(120_000);
  await m.runtime.sessions.sweep();
  assert.equal(live(busy), false, 'past maxLifetime even a busy session ends');
});
