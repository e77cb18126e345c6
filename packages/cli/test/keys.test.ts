import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BedrockAgentCoreControlClient, ListWorkloadIdentitiesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { silentLogger } from '@mandate/core';
import { runCli } from '../src/main.ts';
import { startDevStack } from '../src/stack/dev-stack.ts';
import { freePortRange, tempDir } from './helpers.ts';

async function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd });
  return { code, out, err };
}

test('mandate keys create/list/revoke and rotate-master against a live stack', async () => {
  const tmp = tempDir('mandate-keys-');
  const basePort = await freePortRange();
  const stack = await startDevStack({ env: {}, cwd: tmp.dir, basePort, dataDir: tmp.dir, withWeatherAgent: false, progress: () => {}, logger: silentLogger });
  try {
    const args = ['--data-dir', tmp.dir];
    const created = await cli(['keys', 'create', '--admin', '--description', 'ci', ...args], {}, tmp.dir);
    assert.equal(created.code, 0);
    const id = created.out.find((l) => l.startsWith('AWS_ACCESS_KEY_ID='))!.slice('AWS_ACCESS_KEY_ID='.length);
    const secret = created.out.find((l) => l.startsWith('AWS_SECRET_ACCESS_KEY='))!.slice('AWS_SECRET_ACCESS_KEY='.length);

    // The new key works with the official client against the running server.
    const control = new BedrockAgentCoreControlClient({ endpoint: stack.mandate.url, region: 'us-west-2', credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1 });
    const list = await control.send(new ListWorkloadIdentitiesCommand({}));
    assert.deepEqual(list.workloadIdentities?.map((w) => w.name), ['mandate-cli']);

    const listed = await cli(['keys', 'list', ...args], {}, tmp.dir);
    assert.equal(listed.code, 0);
    assert.ok(listed.out.some((l) => l.startsWith(id) && l.includes('admin') && l.includes('Active')));
    assert.ok(!listed.out.join('\n').includes(secret), 'list never shows secrets');

    // Master-key rotation without downtime: the server keeps answering with the same key.
    const rotated = await cli(['keys', 'rotate-master', ...args], {}, tmp.dir);
    assert.equal(rotated.code, 0, rotated.err.join('\n'));
    assert.match(rotated.out[1]!, /^Added master key mk-[\w-]+; re-wrapped \d+ data keys\.$/);
    assert.deepEqual((await control.send(new ListWorkloadIdentitiesCommand({}))).workloadIdentities?.map((w) => w.name), ['mandate-cli']);

    const revoked = await cli(['keys', 'revoke', id, ...args], {}, tmp.dir);
    assert.equal(revoked.code, 0);
    const after = await cli(['keys', 'list', ...args], {}, tmp.dir);
    assert.ok(after.out.some((l) => l.startsWith(id) && l.includes('Revoked')));
    control.destroy();
  } finally {
    await stack.close();
    tmp.remove();
  }
});

test('mandate keys create explains a missing role; revoke of an unknown key is one clear line', async () => {
  const tmp = tempDir('mandate-keys-bad-');
  try {
    const r = await cli(['keys', 'create', '--data-dir', tmp.dir], {}, tmp.dir);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, ['mandate: Say what the key is for: --admin, or --workload <workload identity name>.']);
    const u = await cli(['keys', 'revoke', 'MKIANOSUCHKEY0000000', '--data-dir', tmp.dir], {}, tmp.dir);
    assert.equal(u.code, 1);
    assert.match(u.err[0]!, /^mandate: .*MKIANOSUCHKEY0000000|^mandate: .*not found/i);
  } finally {
    tmp.remove();
  }
});
