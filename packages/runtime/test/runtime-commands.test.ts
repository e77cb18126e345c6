// InvokeAgentRuntimeCommand through the unmodified official data-plane client: a command runs in the
// session's agent environment and its output streams back as the client's typed events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { InvokeAgentRuntimeCommandCommand, StopRuntimeSessionCommand, type InvokeAgentRuntimeCommandStreamOutput } from '@aws-sdk/client-bedrock-agentcore';
import { agentDir, baseRuntime, codeArtifact, sessionId, startMandate, type Mandate } from './harness.ts';

let m: Mandate;
let arn: string;
before(async () => {
  m = await startMandate({ startTimeoutMs: 60_000 });
  arn = (await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'cmd_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    environmentVariables: { AGENT_GREETING: 'hello from the agent env' },
  }))).agentRuntimeArn!;
});
after(async () => {
  await m?.close();
});

interface Run {
  stdout: string;
  stderr: string;
  events: string[];
  stop: { exitCode?: number | undefined; status?: string | undefined } | undefined;
  sessionId: string | undefined;
}

async function run(command: string, sid: string, timeout?: number, onFirstOutput?: () => void): Promise<Run> {
  const out = await m.data.send(new InvokeAgentRuntimeCommandCommand({ agentRuntimeArn: arn, runtimeSessionId: sid, body: timeout === undefined ? { command } : { command, timeout } }));
  const r: Run = { stdout: '', stderr: '', events: [], stop: undefined, sessionId: out.runtimeSessionId };
  for await (const e of out.stream as AsyncIterable<InvokeAgentRuntimeCommandStreamOutput>) {
    const c = e.chunk;
    if (!c) assert.fail(`unexpected event ${JSON.stringify(e)}`);
    if (c.contentStart) r.events.push('start');
    if (c.contentDelta) {
      r.events.push('delta');
      r.stdout += c.contentDelta.stdout ?? '';
      r.stderr += c.contentDelta.stderr ?? '';
      onFirstOutput?.();
      onFirstOutput = undefined;
    }
    if (c.contentStop) {
      r.events.push('stop');
      r.stop = c.contentStop;
    }
  }
  return r;
}

test('echo and ls run in the agent\'s directory and environment; output and exit code arrive as contentStart, contentDelta, contentStop', async () => {
  const sid = sessionId('cmd');
  const echo = await run('echo "$AGENT_GREETING"; echo to-stderr >&2', sid);
  assert.equal(echo.sessionId, sid);
  assert.equal(echo.stdout, 'hello from the agent env\n');
  assert.equal(echo.stderr, 'to-stderr\n');
  assert.equal(echo.events[0], 'start');
  assert.equal(echo.events.at(-1), 'stop');
  assert.deepEqual(echo.stop, { exitCode: 0, status: 'COMPLETED' });
  const ls = await run('ls', sid);
  assert.equal(ls.stdout, 'main.ts\n', "the command runs in the agent's code directory");
  assert.deepEqual(ls.stop, { exitCode: 0, status: 'COMPLETED' });
  const env = await run('echo "${MANDATE_TEST_SECRET:-unset} $AWS_SECRET_ACCESS_KEY" | tr -d "\\n"', sid);
  assert.equal(env.stdout, 'unset [redacted]', "Mandate's environment is not inherited, and the agent's secret key is masked");
});

test('a command that does not exist, a failing command and a timeout end with their exit codes, not a server error', async () => {
  const sid = sessionId('cmdfail');
  const missing = await run('no-such-command-here', sid);
  assert.deepEqual(missing.stop, { exitCode: 127, status: 'COMPLETED' });
  assert.match(missing.stderr, /no-such-command-here: (command )?not found/);
  assert.deepEqual((await run('exit 3', sid)).stop, { exitCode: 3, status: 'COMPLETED' });
  const slow = await run('sleep 5', sid, 1);
  assert.deepEqual(slow.stop, { exitCode: -1, status: 'TIMED_OUT' });
});

test('StopRuntimeSession ends a running command', async () => {
  const sid = sessionId('cmdstop');
  const t0 = Date.now();
  let stopped: Promise<unknown> | undefined;
  const r = await run('echo started; sleep 30', sid, undefined, () => {
    stopped = m.data.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn, runtimeSessionId: sid }));
  });
  assert.equal(((await stopped) as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 200);
  assert.equal(r.stdout, 'started\n');
  assert.deepEqual(r.stop, { exitCode: 143, status: 'COMPLETED' }, 'ended by SIGTERM (128 + 15)');
  assert.ok(Date.now() - t0 < 10_000);
});

test('bad input is a ValidationException before anything runs', async () => {
  await assert.rejects(m.data.send(new InvokeAgentRuntimeCommandCommand({ agentRuntimeArn: arn, runtimeSessionId: sessionId('cmdbad'), body: { command: '', timeout: 0 } })), (e: Error) => {
    assert.equal(e.name, 'ValidationException');
    assert.equal(e.message, "2 validation errors detected: Value at 'command' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1");
    return true;
  });
});
