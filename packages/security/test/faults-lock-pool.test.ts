import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '@mandate/storage';
import { DATABASE_URL, dropSchema, freshSchema } from '@mandate/storage/test-pg';

/**
 * Regression for a fault found by faults-kill.test.ts: PostgreSQL advisory locks hold a pooled connection
 * while held, so more concurrent lock holders than the pool size (a refresh storm: one lock per user) held
 * every connection while their own reads waited for one, and all failed with `unavailable`; a nested lock
 * (the first seal of a process creates a data key under the master-key lock, inside a refresh lock) made
 * it a deadlock. Locks now have their own pool, outer holders are bounded, nested ones use the headroom.
 */
const schema = freshSchema();
let store: PostgresStore;
before(async () => {
  store = await PostgresStore.open({ url: DATABASE_URL, schema, poolSize: 2, connectTimeoutMs: 1_000 });
});
after(async () => {
  await store?.close();
  await dropSchema(schema);
});

test('12 concurrent lock holders on distinct keys with a pool of 2, each reading, writing and taking a nested lock: all succeed', { timeout: 30_000 }, async () => {
  const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.withLock(`refresh:${i}`, async () => {
    await store.put('lock_probe', `row-${i}`, { i });
    await new Promise((r) => setTimeout(r, 20));
    const nested = await store.withLock('master-key', async () => (await store.get<{ i: number }>('lock_probe', `row-${i}`))!.doc.i);
    return nested;
  }, { timeoutMs: 20_000 })));
  assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))), Array.from({ length: 12 }, (_, i) => i));
  assert.equal(await store.count('lock_probe'), 12);
});
