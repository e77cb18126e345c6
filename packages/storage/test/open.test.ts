import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, MandateError } from '@mandate/core';
import { MemoryStore, openStore, PostgresStore, SqliteStore } from '../src/index.ts';
import { DATABASE_URL, dropSchema, freshSchema } from './pg-fixture.ts';

test('memory: opens the in-memory twin with the given clock', async () => {
  const clock = new ManualClock();
  const store = await openStore({ databaseUrl: 'memory:', clock });
  assert.ok(store instanceof MemoryStore);
  assert.equal(store.kind, 'memory');
  assert.equal((await store.put('c', 'a', {})).createdAt, clock.now());
  await store.close();
});

test('no URL: SQLite at ${dataDir}/mandate.db, creating the directories', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mandate-open-'));
  try {
    const dataDir = join(root, 'nested', 'data');
    const store = await openStore({ dataDir, databaseUrl: '  ' });
    assert.ok(store instanceof SqliteStore);
    assert.equal(store.kind, 'sqlite');
    assert.equal(store.path, join(dataDir, 'mandate.db'));
    await store.put('c', 'a', { kept: true });
    await store.close();
    assert.ok(existsSync(join(dataDir, 'mandate.db')));
    const again = await openStore({ dataDir });
    assert.deepEqual((await again.get('c', 'a'))?.doc, { kept: true });
    await again.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('postgres:// and postgresql:// URLs open PostgreSQL in the given schema', async () => {
  for (const url of [DATABASE_URL, DATABASE_URL.replace(/^postgres:/, 'postgresql:')]) {
    const schema = freshSchema();
    const store = await openStore({ databaseUrl: url, schema });
    try {
      assert.ok(store instanceof PostgresStore);
      assert.equal(store.kind, 'postgres');
      assert.equal(store.schema, schema);
      assert.equal((await store.insert('c', 'a', {})).version, 1);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  }
});

test('any other URL is refused without echoing it', async () => {
  await assert.rejects(openStore({ databaseUrl: 'mysql://root:s3cret@db/mandate' }), (err: unknown) => {
    assert.ok(err instanceof MandateError);
    assert.equal(err.code, 'validation');
    assert.equal(err.message, 'The database URL must start with postgres://, postgresql:// or be memory: (leave it unset for SQLite).');
    return true;
  });
});
