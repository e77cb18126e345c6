import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStore } from '@mandate/storage';
import { collections } from '../src/model.ts';
import type { SealedSecret } from '@mandate/core';
import { EnvelopeSecretBox, LocalKeyProvider, countDataKeysByMasterKey, rotateMasterKey } from '../src/vault/index.ts';

/**
 * Master-key rotation against real separate processes sharing one PostgreSQL schema and one master
 * key file: one worker process seals, stores and opens secrets in a loop (with frequent data-key
 * rotation and cache drops, so it wraps and unwraps through the changing ring), another only opens,
 * while this process
 * rotates the master key twice. No worker may see a single failure, and afterwards every stored
 * secret opens from a cold start with only the newest master key left in the ring.
 *
 * The same file is the worker (MANDATE_VAULT_WORKER=1), so the test stays self-contained.
 */
const DATABASE_URL = process.env.MANDATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
interface Row {
  i: string;
  secret: SealedSecret;
}
const ctx = (i: string) => ({ kind: 'oauth2-token', workload: 'agent', user: i, provider: 'entra' });

async function worker(): Promise<void> {
  const name = process.env.MANDATE_VAULT_WORKER!;
  const store = await PostgresStore.open({ url: DATABASE_URL, schema: process.env.MANDATE_VAULT_SCHEMA! });
  const box = new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(process.env.MANDATE_VAULT_KEYFILE!), maxSealsPerDataKey: 4 });
  let stop = false;
  process.on('message', (m) => {
    if (m === 'stop') stop = true;
  });
  let ops = 0;
  const failures: string[] = [];
  process.send!('ready');
  for (let n = 0; !stop; n++) {
    try {
      const i = `${name}-${n}`;
      // Worker "b" only reads: it learns about new master keys solely from the rows it meets.
      if (name !== 'b') await store.put(collections.vaultTokens, i, { i, secret: await box.seal(`secret-${i}`, ctx(i)) } satisfies Row);
      else await new Promise((r) => setTimeout(r, 2));
      const page = await store.list<Row>(collections.vaultTokens, { after: randomBytes(2).toString('hex'), limit: 5 });
      for (const r of page.items) {
        const got = await box.open(r.doc.secret, ctx(r.doc.i));
        if (got !== `secret-${r.doc.i}`) failures.push(`wrong plaintext for ${r.doc.i}`);
        ops++;
      }
      if (n % 3 === 0) box.clearCache();
    } catch (err) {
      failures.push(String(err instanceof Error ? `${err.name}: ${err.message}` : err));
    }
  }
  await store.close();
  process.send!({ ops, failures });
}

if (process.env.MANDATE_VAULT_WORKER) {
  await worker();
} else {
  test('master-key rotation while a writer and a reader process run: zero failures', { timeout: 120_000 }, async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const dir = await mkdtemp(join(tmpdir(), 'mandate-rotation-procs-'));
    const keyFile = join(dir, 'master.key');
    const store = await PostgresStore.open({ url: DATABASE_URL, schema });
    const children: ChildProcess[] = [];
    try {
      const kp = await LocalKeyProvider.fromFile(keyFile);
      const firstKey = await kp.currentKeyId();
      const seed = new EnvelopeSecretBox({ store, keyProvider: kp, maxSealsPerDataKey: 3 });
      for (let n = 0; n < 12; n++) await store.put(collections.vaultTokens, `0000-seed-${n}`, { i: `seed-${n}`, secret: await seed.seal(`secret-seed-${n}`, ctx(`seed-${n}`)) } satisfies Row);

      const results: Promise<{ ops: number; failures: string[] }>[] = [];
      for (const name of ['a', 'b']) {
        const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, MANDATE_VAULT_WORKER: name, MANDATE_VAULT_SCHEMA: schema, MANDATE_VAULT_KEYFILE: keyFile }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        const ready = new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
        });
        results.push(ready.then(() => new Promise((resolve) => child.on('message', (m) => typeof m === 'object' && resolve(m as { ops: number; failures: string[] })))));
        await ready;
      }
      await new Promise((r) => setTimeout(r, 500));
      const r1 = await rotateMasterKey(store, kp);
      await new Promise((r) => setTimeout(r, 300));
      const r2 = await rotateMasterKey(store, kp);
      await new Promise((r) => setTimeout(r, 500));
      for (const c of children) c.send('stop');
      const outcomes = await Promise.all(results);

      console.log(`workers: ${outcomes.map((o) => o.ops).join(', ')} opens; rotations moved ${r1.rewrapped} + ${r2.rewrapped} data keys`);
      for (const o of outcomes) {
        assert.deepEqual(o.failures, []);
        assert.ok(o.ops > 20, `worker did real work (${o.ops} opens)`);
      }
      assert.equal(r1.addedVersion, true);
      assert.deepEqual(r1.failed, []);
      assert.deepEqual(r1.retired, [firstKey]);
      assert.deepEqual(r2.retired, [r1.masterKeyId]);
      assert.deepEqual(Object.keys(await countDataKeysByMasterKey(store)), [r2.masterKeyId]);
      const ring = JSON.parse(await readFile(keyFile, 'utf8')) as { keys: { id: string; status: string; key?: string }[] };
      assert.deepEqual(ring.keys.map((k) => [k.status, k.key === undefined]), [['retired', true], ['retired', true], ['active', false]]);

      // Cold start with the ring as it is now: every secret written before and during the rotations opens.
      const cold = new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(keyFile) });
      let after: string | undefined;
      let opened = 0;
      do {
        const page = await store.list<Row>(collections.vaultTokens, after === undefined ? { limit: 500 } : { limit: 500, after });
        for (const r of page.items) {
          assert.equal(await cold.open(r.doc.secret, ctx(r.doc.i)), `secret-${r.doc.i}`);
          opened++;
        }
        after = page.next;
      } while (after !== undefined);
      assert.ok(opened > 12 + 10, `${opened} secrets`);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill();
      await store.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await client.end();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
