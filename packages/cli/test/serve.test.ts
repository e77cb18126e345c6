import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BedrockAgentCoreControlClient, CreateWorkloadIdentityCommand, ListWorkloadIdentitiesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { runCli } from '../src/main.ts';
import { freePortRange, tempDir } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

test('mandate serve: configured from the environment, bootstrap admin key printed once, state kept across restarts', async () => {
  const tmp = tempDir('mandate-serve-');
  const port = await freePortRange(1);
  const env = { ...process.env, MANDATE_PORT: String(port), MANDATE_DATA_DIR: tmp.dir, MANDATE_REGION: 'eu-west-1', MANDATE_ACCOUNT_ID: '123456789012' };
  const start = async () => {
    const child = spawn(process.execPath, ['packages/cli/src/main.ts', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out: ${out}`)), 30_000);
      child.stdout.on('data', () => out.includes('Mandate listening') && (clearTimeout(timer), resolve()));
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    await new Promise((r) => setTimeout(r, 200));
    return {
      out: () => out,
      stop: async () => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      },
    };
  };
  try {
    const first = await start();
    const text = first.out();
    assert.match(text, new RegExp(`^Mandate listening on 127\\.0\\.0\\.1:${port}, public URL http://127\\.0\\.0\\.1:${port}, store sqlite\\.`, 'm'));
    const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(text)![1]!;
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(text)![1]!;
    const control = new BedrockAgentCoreControlClient({ endpoint: `http://127.0.0.1:${port}`, region: 'eu-west-1', credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1 });
    const w = await control.send(new CreateWorkloadIdentityCommand({ name: 'served' }));
    assert.equal(w.workloadIdentityArn, 'arn:aws:bedrock-agentcore:eu-west-1:123456789012:workload-identity-directory/default/workload-identity/served');
    await first.stop();

    const second = await start();
    assert.doesNotMatch(second.out(), /AWS_SECRET_ACCESS_KEY/, 'the admin key is printed only on the first start');
    const list = await control.send(new ListWorkloadIdentitiesCommand({}));
    assert.deepEqual(list.workloadIdentities?.map((x) => x.name), ['served']);
    control.destroy();
    await second.stop();
  } finally {
    tmp.remove();
  }
});

test('mandate serve reports every configuration problem at once', async () => {
  const err: string[] = [];
  const code = await runCli(['serve'], { out: () => {}, err: (l) => err.push(l), env: { MANDATE_REGION: 'nowhere', MANDATE_PORT: '70000', MANDATE_ACCOUNT_ID: 'abc' }, cwd: '/tmp' });
  assert.equal(code, 1);
  assert.equal(err[0], [
    'mandate: The configuration is not valid:',
    '  MANDATE_PORT: Too big: expected number to be <=65535',
    '  MANDATE_REGION: must look like an AWS region, e.g. us-west-2',
    '  MANDATE_ACCOUNT_ID: must be 12 digits',
  ].join('\n'));
  assert.equal(err[1], '  What to do: Fix the environment variables above (see docs/configuration.md).');
});
