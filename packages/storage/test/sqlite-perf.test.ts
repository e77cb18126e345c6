import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../src/sqlite/sqlite-store.ts';

// The token hot path reads through SqliteStore.get: one primary-key search plus JSON.parse of a small
// document. This measures it on a table of 100k rows and reports µs per operation, as wall time and as
// CPU time (the latter is what to compare on a busy machine).
const ROWS = 100_000;

function measure(fn: () => Promise<void>): Promise<{ wallUs: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return fn().then(() => {
    const used = process.cpuUsage(cpu);
    return { wallUs: (performance.now() - started) * 1000, cpuUs: used.user + used.system };
  });
}

test(`100k gets on a SQLite table of ${ROWS} rows`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-perf-'));
  const path = join(dir, 'mandate.db');
  await (await SqliteStore.open({ path })).close(); // creates the schema
  const id = (k: number) => `wl-${k % 100}:user-${k}`;
  const doc = JSON.stringify({ ciphertext: 'x'.repeat(600), keyId: 'dek-1', scopes: ['openid', 'offline_access'], expiresAt: 1_800_000_000_000 });
  // Seed directly in one transaction: what is measured is reading, not 100k awaited inserts.
  const seeding = performance.now();
  const seed = new DatabaseSync(path);
  const insert = seed.prepare('INSERT INTO records (collection, id, doc, version, expires_at, created_at, updated_at) VALUES (?, ?, ?, 1, NULL, 0, 0)');
  seed.exec('BEGIN');
  for (let k = 0; k < ROWS; k++) insert.run('vault_tokens', id(k), doc);
  seed.exec('COMMIT');
  seed.close();
  t.diagnostic(`seeded ${ROWS} rows in ${(performance.now() - seeding).toFixed(0)} ms`);

  const store = await SqliteStore.open({ path });
  try {
    const ids = Array.from({ length: ROWS }, (_, i) => id((i * 7919) % ROWS)); // scrambled, not sequential
    for (let i = 0; i < 2000; i++) await store.get('vault_tokens', ids[i]!); // warm-up
    let found = 0;
    const gets = await measure(async () => {
      for (const k of ids) if (await store.get('vault_tokens', k)) found++;
    });
    assert.equal(found, ROWS);
    const range = await measure(async () => {
      assert.equal(await store.count('vault_tokens', 'wl-42:'), 1000);
      assert.equal((await store.list('vault_tokens', { prefix: 'wl-42:', limit: 100 })).items.length, 100);
    });
    const writes = await measure(async () => {
      for (let i = 0; i < 1000; i++) await store.put('vault_tokens', ids[i]!, { rotated: i });
    });
    t.diagnostic(`get: ${(gets.wallUs / ROWS).toFixed(2)} µs/op wall, ${(gets.cpuUs / ROWS).toFixed(2)} µs/op CPU (${ROWS} gets)`);
    t.diagnostic(`count + list(100) with a prefix over ${ROWS} rows: ${(range.wallUs / 1000).toFixed(2)} ms`);
    t.diagnostic(`put (autocommit, synchronous=NORMAL): ${(writes.wallUs / 1000).toFixed(1)} µs/op wall`);
    // Generous bounds for shared machines: the point is microseconds per get, and no range scan of the table.
    assert.ok(gets.cpuUs / ROWS < 60, `get took ${(gets.cpuUs / ROWS).toFixed(2)} µs/op CPU`);
    assert.ok(range.wallUs < 100_000, `count + list took ${(range.wallUs / 1000).toFixed(2)} ms`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
