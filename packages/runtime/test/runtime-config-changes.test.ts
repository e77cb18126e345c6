import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAgentRuntimeCommand, CreateAgentRuntimeEndpointCommand, DeleteAgentRuntimeCommand, DeleteAgentRuntimeEndpointCommand,
  UpdateAgentRuntimeCommand, UpdateAgentRuntimeEndpointCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { resolveTarget } from '../src/data/resolve-target.ts';
import { agentDir, baseRuntime, codeArtifact, sessionId, sseEvents, startMandate, type Mandate } from './harness.ts';

// The invocation path caches the runtime and endpoint documents per process (doc-cache.ts). Every
// control-plane change must show on the very next invocation, not after the cache's TTL.

let m: Mandate;
let arn: string;
let id: string;
before(async () => {
  m = await startMandate({ startTimeoutMs: 60_000 });
  const rt = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'changing_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    environmentVariables: { AGENT_GREETING: 'v1' },
  }));
  arn = rt.agentRuntimeArn!;
  id = rt.agentRuntimeId!;
});
after(async () => {
  await m.close();
});

/** The AGENT_GREETING the agent process of a new session sees, through `qualifier`. */
async function greeting(qualifier?: string): Promise<unknown> {
  const out = await m.data.send(new InvokeAgentRuntimeCommand({
    agentRuntimeArn: arn, runtimeSessionId: sessionId('cfg'), runtimeUserId: 'user-1', ...(qualifier ? { qualifier } : {}),
    payload: new TextEncoder().encode(JSON.stringify({ op: 'whoami' })), contentType: 'application/json', accept: 'text/event-stream',
  }));
  const events = sseEvents(await out.response!.transformToString()) as Array<{ env?: { custom?: unknown } }>;
  return events[1]!.env!.custom;
}

async function notFound(p: Promise<unknown>, message: string): Promise<void> {
  // From the SDK (the wire error) or from resolveTarget itself (the MandateError that becomes it).
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number }; awsType?: string; status?: number }) => {
    assert.equal(e.awsType ?? e.name, 'ResourceNotFoundException');
    assert.equal(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode ?? e.status, 404);
    return true;
  });
}

/** What an invocation resolves `qualifier` to right now (the cached path of InvokeAgentRuntime), without starting an agent. */
async function target(qualifier?: string): Promise<string> {
  const t = await resolveTarget(m.identity.services, arn, qualifier ? { qualifier } : {});
  return t.version.agentRuntimeVersion;
}

test('updates and deletions of a runtime and its endpoints take effect on the next invocation', async () => {
  // Resolution alone takes microseconds, far inside the cache's 1 s TTL: only invalidation can explain a change seen here.
  assert.equal(await target(), '1');
  await m.control.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'pinned', agentRuntimeVersion: '1' }));
  assert.equal(await target('pinned'), '1');
  await m.control.send(new UpdateAgentRuntimeCommand({
    agentRuntimeId: id, agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime, environmentVariables: { AGENT_GREETING: 'v1' },
  }));
  assert.equal(await target(), '2');
  assert.equal(await target('pinned'), '1');
  await m.control.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'pinned', agentRuntimeVersion: '2' }));
  assert.equal(await target('pinned'), '2');
  await m.control.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'pinned' }));
  await notFound(target('pinned'), `The endpoint pinned of agent runtime ${id} does not exist.`);
});

test('and the agents see them: a new session runs the version its endpoint points to now', async () => {
  assert.equal(await greeting(), 'v1');
  await m.control.send(new UpdateAgentRuntimeCommand({
    agentRuntimeId: id, agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime, environmentVariables: { AGENT_GREETING: 'v2' },
  }));
  assert.equal(await greeting(), 'v2', 'DEFAULT follows the new version at once');

  await m.control.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'stable', agentRuntimeVersion: '2' }));
  assert.equal(await greeting('stable'), 'v1');
  await m.control.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'stable', agentRuntimeVersion: '3' }));
  assert.equal(await greeting('stable'), 'v2', 'a moved endpoint serves its new version at once');

  await m.control.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'stable' }));
  await notFound(greeting('stable'), `The endpoint stable of agent runtime ${id} does not exist.`);

  await m.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id }));
  await notFound(greeting(), `The agent runtime ${id} does not exist.`);
});
