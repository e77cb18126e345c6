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
