// The interactive shell of a runtime session (/runtimes/{arn}/ws/shells), through the unmodified
// bedrock-agentcore RuntimeClient.openShell: the SDK's framing, STATUS handshake and exit code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { StopRuntimeSessionCommand } from '@aws-sdk/client-bedrock-agentcore';
import { RuntimeClient, ShellChannel, type ShellSession } from 'bedrock-agentcore/runtime';
import { agentDir, baseRuntime, codeArtifact, REGION, sessionId, startMandate, type Mandate } from './harness.ts';

let m: Mandate;
let arn: string;
let client: RuntimeClient;
before(async () => {
  m = await startMandate({ startTimeoutMs: 60_000 });
  arn = (await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'shell_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    environmentVariables: { AGENT_GREETING: 'from the agent env' },
  }))).agentRuntimeArn!;
  process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = m.url;
  client = new RuntimeClient({ region: REGION, credentialsProvider: async () => m.admin });
});
after(async () => {
  delete process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT;
  await m?.close();
});

/** Reads the shell's stdout until `until` appears (or the shell ends); returns it and how the loop ended. */
async function readUntil(shell: ShellSession, until: RegExp | undefined): Promise<string> {
  let out = '';
  for await (const frame of shell) {
    if (frame.channel === ShellChannel.STDOUT) out += frame.text;
    if (until && until.test(out)) break;
  }
  return out;
}

test('openShell (SigV4): commands run in the agent\'s directory and environment; `exit 3` ends the shell with exit code 3', async () => {
  const shell = await client.openShell({ runtimeArn: arn, sessionId: sessionId('shell') });
  try {
    await shell.send('echo "$AGENT_GREETING"; ls; echo END\n');
    assert.equal(await readUntil(shell, /END\n/), 'from the agent env\nmain.ts\nEND\n');
    await shell.send('exit 3\n');
    await readUntil(shell, undefined);
    assert.equal(shell.exitCode, 3);
  } finally {
    await shell.close();
  }
});

test('the shell keeps its state between commands and StopRuntimeSession ends it', async () => {
  const sid = sessionId('shellstop');
  const shell = await client.openShell({ runtimeArn: arn, sessionId: sid });
  try {
    await shell.send('X=kept; cd /tmp; echo ready\n');
    await readUntil(shell, /ready\n/);
    await shell.send('echo "$X $(pwd)"\n');
    assert.equal(await readUntil(shell, /\/tmp\n/), 'kept /tmp\n');
    await m.data.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn, runtimeSessionId: sid }));
    await readUntil(shell, undefined);
  } finally {
    await shell.close();
  }
});

test('a second client with the same shellId reattaches the running shell (its state kept) and the first is kicked', async () => {
  const sid = sessionId('shellkick');
  const first = await client.openShell({ runtimeArn: arn, sessionId: sid, shellId: 'kick-me' });
  await first.send('Y=still-here; echo set\n');
  await readUntil(first, /set\n/);
  const ended = readUntil(first, undefined);
  const second = await client.openShell({ runtimeArn: arn, sessionId: sid, shellId: 'kick-me' });
  try {
    await ended;
    assert.equal(first.kicked, true);
    assert.equal(second.reconnected, true);
    await second.send('echo "$Y"\n');
    assert.equal(await readUntil(second, /still-here\n/), 'still-here\n');
  } finally {
    await first.close();
    await second.close();
  }
});

test('an invalid shellId is a ValidationException before the upgrade', async () => {
  const url = `ws://127.0.0.1:${new URL(m.url).port}/runtimes/${encodeURIComponent(arn)}/ws/shells?shellId=-bad`;
  const { openWs } = await import('./ws-client.ts');
  const r = await openWs(url, []) as { status: number; errorType: string };
  assert.equal(r.status, 400);
  assert.equal(r.errorType, 'ValidationException');
});
