import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { MandateError } from '@mandate/core';
import { PostgresStore } from '../src/postgres/postgres-store.ts';
import { admin, DATABASE_URL, dropSchema, freshSchema } from './pg-fixture.ts';

async function withPg(fn: (store: PostgresStore, schema: string) => Promise<void>): Promise<void> {
  const schema = freshSchema();
  const store = await PostgresStore.open({ url: DATABASE_URL, schema });
  try {
    await fn(store, schema);
  } finally {
    await store.close();
    await dropSchema(schema);
  }
}

function assertUnavailable(message: string) {
  return (err: unknown) => {
    assert.ok(err instanceof MandateError, String(err));
    assert.equal(err.code, 'unavailable');
    assert.equal(err.status, 503);
    assert.equal(err.message, message);
    assert.ok(!err.message.includes('s3cret'));
    return true;
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

test('an unreachable server fails fast with `unavailable`, never echoing the URL', async () => {
  const port = await closedPort();
  const started = Date.now();
  await assert.rejects(PostgresStore.open({ url: `postgres://postgres:s3cret@127.0.0.1:${port}/test`, schema: freshSchema() }), assertUnavailable('The database is unavailable (ECONNREFUSED).'));
  assert.ok(Date.now() - started < 5000);
});

test('a server that accepts but never answers times out with `unavailable`', async () => {
  const sockets: import('node:net').Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as { port: number }).port;
  try {
    const started = Date.now();
    await assert.rejects(
      PostgresStore.open({ url: `postgres://postgres:s3cret@127.0.0.1:${port}/test`, schema: freshSchema(), connectTimeoutMs: 300 }),
      assertUnavailable('The database is unavailable.'),
    );
    assert.ok(Date.now() - started < 3000);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

test('a missing database is `unavailable` (3D000)', async () => {
  await assert.rejects(
    PostgresStore.open({ url: DATABASE_URL.replace(/\/[^/]*$/, '/mandate_no_such_db'), schema: freshSchema() }),
    assertUnavailable('The database is unavailable (3D000).'),
  );
});

test('a bad schema name is rejected before connecting', async () => {
  await assert.rejects(PostgresStore.open({ url: DATABASE_URL, schema: 'Robert"; DROP' }), (err: unknown) => {
    assert.ok(err instanceof MandateError);
    assert.equal(err.code, 'validation');
    assert.equal(err.message, 'A schema name must be 1-63 characters from a-z 0-9 _, not starting with a digit.');
    return true;
  });
});

test('five instances opening one new schema at once migrate it exactly once', async () => {
  const schema = freshSchema();
  try {
    const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open({ url: DATABASE_URL, schema })));
    await Promise.all(stores.map((s) => s.close()));
    const rows = await admin(`SELECT version, name FROM ${schema}.schema_migrations`);
    assert.deepEqual(rows, [{ version: 1, name: 'records' }]);
    const cols = await admin<{ column_name: string; data_type: string; collation_name: string | null }>(
      'SELECT column_name, data_type, collation_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, 'records'],
    );
    assert.deepEqual(cols.map((c) => [c.column_name, c.data_type, c.collation_name]), [
      ['collection', 'text', 'C'], ['id', 'text', 'C'], ['doc', 'text', null], ['version', 'integer', null],
      ['expires_at', 'bigint', null], ['created_at', 'bigint', null], ['updated_at', 'bigint', null],
    ]);
  } finally {
    await dropSchema(schema);
  }
});

test('prefix lists and counts use the primary key index on a large table', () =>
  withPg(async (store, schema) => {
    await admin(`INSERT INTO ${schema}.records SELECT 'big', 'k:' || lpad(g::text, 6, '0'), '{}', 1, NULL, 0, 0 FROM generate_series(1, 50000) g`);
    await admin(`ANALYZE ${schema}.records`);
    const plan = (await admin<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM ${schema}.records WHERE collection = 'big' AND id >= 'k:0001' AND id < 'k:0002' AND (expires_at IS NULL OR expires_at > 0) ORDER BY id LIMIT 101`,
    )).map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Index (Only )?Scan using records_pkey/);
    assert.doesNotMatch(plan, /Seq Scan/);
    assert.equal(await store.count('big', 'k:0001'), 100);
    assert.equal((await store.list('big', { prefix: 'k:0001', limit: 1000 })).items.length, 100);
  }));

test('the listener reconnects after its connection is killed and delivers again', () =>
  withPg(async (store, schema) => {
    const got: string[] = [];
    const off = await store.subscribe('events', (p) => got.push(p));
    await store.publish('events', 'before');
    const deadline = Date.now() + 5000;
    while (!got.includes('before') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const killed = await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`mandate:listen:${schema}`]);
    assert.equal(killed.length, 1);
    // Notifications sent while it is down are lost; keep publishing until the new connection listens.
    for (let i = 0; !got.some((p) => p.startsWith('after-')); i++) {
      assert.ok(Date.now() < deadline + 10_000, `no delivery after reconnect; got ${JSON.stringify(got)}`);
      await store.publish('events', `after-${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await off();
  }));

test('pooled connections killed by the server are replaced transparently', () =>
  withPg(async (store, schema) => {
    await store.put('c', 'a', { v: 1 });
    await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`mandate:${schema}`]);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await store.get('c', 'a'))?.doc, { v: 1 });
  }));

test('a statement that fails inside a transaction makes the commit fail instead of silently rolling back', () =>
  withPg(async (store) => {
    await store.put('c', 'a', { v: 1 });
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.put('c', 'b', {});
        // 2^31 passes the port's check but overflows the INTEGER column: the statement fails.
        await assert.rejects(tx.update('c', 'a', {}, 2 ** 31), { code: '22003' });
      }),
      (err: unknown) => {
        assert.ok(err instanceof MandateError);
        assert.equal(err.code, 'internal');
        assert.equal(err.message, 'The transaction was rolled back because a statement inside it failed.');
        return true;
      },
    );
    assert.equal(await store.get('c', 'b'), undefined);
  }));

test('locks are namespaced by schema: the same key in two deployments does not contend', async () => {
  const a = freshSchema();
  const b = freshSchema();
  const sa = await PostgresStore.open({ url: DATABASE_URL, schema: a });
  const sb = await PostgresStore.open({ url: DATABASE_URL, schema: b });
  try {
    const r = await sa.withLock('same', () => sb.withLock('same', async () => 'both held', { timeoutMs: 500 }));
    assert.equal(r, 'both held');
  } finally {
    await sa.close();
    await sb.close();
    await dropSchema(a);
    await dropSchema(b);
  }
});
