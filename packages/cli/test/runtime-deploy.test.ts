import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { silentLogger } from '@mandate/core';
import { runCli } from '../src/main.ts';
import { startDevStack } from '../src/stack/dev-stack.ts';
import { freePortRange, tempDir } from './helpers.ts';

const AGENT_DIR = join(import.meta.dirname, '..', '..', 'runtime', 'test', 'agents', 'app-agent');

test('mandate runtime deploy creates, then updates, a runtime the official client can invoke', async () => {
  const tmp = tempDir('mandate-deploy-');
  const basePort = await freePortRange();
  const stack = await startDevStack({ env: {}, cwd: tmp.dir, basePort, dataDir: tmp.dir, withWeatherAgent: false, progress: () => {}, logger: silentLogger });
  try {
    const run = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: tmp.dir });
      return { code, out, err };
    };
    const first = await run(['runtime', 'deploy', AGENT_DIR, '--name', 'app_agent', '--env', 'AGENT_GREETING=hello', '--data-dir', tmp.dir]);
    assert.equal(first.code, 0, first.err.join('\n'));
    const arn = /^Created (arn:aws:bedrock-agentcore:us-west-2:\d{12}:runtime\/app_agent-\w+) \(version 1, /.exec(first.out[1]!)?.[1];
    assert.ok(arn, first.out.join('\n'));
    const second = await run(['runtime', 'deploy', AGENT_DIR, '--name', 'app_agent', '--env', 'AGENT_GREETING=again', '--data-dir', tmp.dir]);
    assert.equal(second.code, 0, second.err.join('\n'));
    assert.match(second.out[1]!, new RegExp(`^Updated ${arn.replace(/[/]/g, '\\/')} \\(version 2, `));

    const data = new BedrockAgentCoreClient({ endpoint: stack.mandate.url, region: 'us-west-2', credentials: stack.devJson.adminCredentials, maxAttempts: 1 });
    const r = await data.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: arn, runtimeUserId: 'deploy-test-user', contentType: 'application/json', accept: 'application/json, text/event-stream',
      payload: new TextEncoder().encode(JSON.stringify({ op: 'whoami' })),
    }));
    const body = await r.response!.transformToString();
    assert.match(body, /"custom":"again"/, body);
    data.destroy();

    const bad = await run(['runtime', 'deploy', join(tmp.dir, 'nope'), '--name', 'x', '--data-dir', tmp.dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.err[0]!, /is not a directory\.$/);
    const badName = await run(['runtime', 'deploy', AGENT_DIR, '--name', '9bad', '--data-dir', tmp.dir]);
    assert.equal(badName.code, 1);
    assert.match(badName.err[0]!, /--name must start with a letter/);
  } finally {
    await stack.close();
    tmp.remove();
  }
});
