import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { MandateError } from '@mandate/core';
import { SqliteStore } from '../src/sqlite/sqlite-store.ts';
import { rangeSql, sql } from '../src/sqlite/queries.ts';

const run = promisify(execFile);
const child = new URL('./fixtures/sqlite-child.ts', import.meta.url).pathname;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-sqlite-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the file is in WAL mode with migrations recorded once, and reopening applies nothing', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    const store = await SqliteStore.open({ path });
    await store.put('c', 'a', { v: 1 });
    await store.close();
    const again = await SqliteStore.open({ path });
    assert.deepEqual((await again.get('c', 'a'))?.doc, { v: 1 });
    await again.close();
    const db = new DatabaseSync(path);
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.deepEqual(db.prepare('SELECT version, name FROM schema_migrations').all().map((r) => ({ ...r })), [{ version: 1, name: 'records' }]);
    db.close();
  }));

test('new files use 16 KiB pages, so a sealed token pair (~3.5 KB) stays in its B-tree leaf; older 4 KiB files keep working', () =>
  withDir(async (dir) => {
    const fresh = join(dir, 'new.db');
    const pageCount = (path: string): number => {
      const db = new DatabaseSync(path);
      try {
        return (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
      } finally {
        db.close();
      }
    };
    const store = await SqliteStore.open({ path: fresh });
    const empty = pageCount(fresh);
    const doc = { sealed: 'x'.repeat(3600) };
    await store.put('vault', 'k', doc);
    await store.close();
    // The row went into the records table's (empty) root leaf: no overflow pages were added.
    assert.equal(pageCount(fresh), empty);
    const db = new DatabaseSync(fresh);
    assert.equal((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size, 16384);
    db.close();

    const old = join(dir, 'old.db');
    const pre = new DatabaseSync(old);
    pre.exec('PRAGMA page_size = 4096');
    pre.exec('CREATE TABLE t (x)');
    pre.close();
    const legacy = await SqliteStore.open({ path: old });
    await legacy.put('vault', 'k', doc);
    assert.deepEqual((await legacy.get('vault', 'k'))?.doc, doc);
    await legacy.close();
    const check = new DatabaseSync(old);
    assert.equal((check.prepare('PRAGMA page_size').get() as { page_size: number }).page_size, 4096);
    check.close();
  }));

test('a database migrated by a newer Mandate is refused', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    await (await SqliteStore.open({ path })).close();
    const db = new DatabaseSync(path);
    db.exec("INSERT INTO schema_migrations VALUES (99, 'future', 0)");
    db.close();
    await assert.rejects(SqliteStore.open({ path }), (err: unknown) => {
      assert.ok(err instanceof MandateError);
      assert.equal(err.code, 'unavailable');
      assert.equal(err.message, 'The database schema is at version 99, newer than this Mandate knows (1); upgrade Mandate.');
      return true;
    });
  }));

test('gets, lists and counts search the primary key (no table scans)', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    await (await SqliteStore.open({ path })).close();
    const db = new DatabaseSync(path);
    const plan = (text: string, n: number) =>
      db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...Array.from({ length: n }, () => 'x')).map((r) => String((r as { detail: string }).detail)).join(' | ');
    assert.match(plan(sql.get, 2), /^SEARCH records USING PRIMARY KEY \(collection=\? AND id=\?\)$/);
    const ge = { value: 'p', inclusive: true };
    assert.match(plan(rangeSql('list', { lower: ge, upper: 'q' }), 5), /^SEARCH records USING PRIMARY KEY \(collection=\? AND id>\? AND id<\?\)$/);
    assert.match(plan(rangeSql('list', { lower: { value: 'p', inclusive: false } }), 4), /^SEARCH records USING PRIMARY KEY \(collection=\? AND id>\?\)$/);
    assert.match(plan(rangeSql('list', {}), 3), /^SEARCH records USING PRIMARY KEY \(collection=\?\)$/);
    assert.match(plan(rangeSql('count', { lower: ge, upper: 'q' }), 4), /^SEARCH records USING PRIMARY KEY \(collection=\? AND id>\? AND id<\?\)$/);
    assert.match(plan(sql.sweep, 1), /^SEARCH records USING INDEX records_expires_at \(expires_at>\? AND expires_at<\?\)$/);
    db.close();
  }));

test('a write blocked by another process past the busy timeout fails with `unavailable`', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    const store = await SqliteStore.open({ path, busyTimeoutMs: 100 });
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(store.put('c', 'a', {}), (err: unknown) => {
        assert.ok(err instanceof MandateError);
        assert.equal(err.code, 'unavailable');
        assert.equal(err.message, 'The database is busy; try again.');
        return true;
      });
      // Reads are not blocked by a writer in WAL mode.
      assert.equal(await store.get('c', 'a'), undefined);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.equal((await store.put('c', 'a', {})).version, 1);
    await store.close();
  }));

test('several processes opening a new file at once all succeed and migrate it once', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    const startAt = String(Date.now() + 400);
    const outs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, [child, 'open', path, startAt])));
    for (const o of outs) assert.deepEqual(JSON.parse(o.stdout), { ok: true });
    const db = new DatabaseSync(path);
    assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all().map((r) => ({ ...r })), [{ version: 1 }]);
    db.close();
  }));

test('withLock excludes critical sections across processes (no lost increments)', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    await (await SqliteStore.open({ path })).close();
    const startAt = String(Date.now() + 400);
    await Promise.all(Array.from({ length: 3 }, () => run(process.execPath, [child, 'increment', path, startAt, '25'])));
    const store = await SqliteStore.open({ path });
    assert.deepEqual((await store.get('counters', 'c'))?.doc, { n: 75 });
    await store.close();
  }));

test('a lock abandoned by a crashed process is taken over once its lease ends', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    const out = await run(process.execPath, [child, 'crash-holding-lock', path, '0', '500']);
    assert.deepEqual(JSON.parse(out.stdout), { holding: true });
    const store = await SqliteStore.open({ path });
    await assert.rejects(store.withLock('abandoned', async () => 'x', { timeoutMs: 1 }), { name: 'LockTimeoutError' });
    const started = Date.now();
    assert.equal(await store.withLock('abandoned', async () => 'taken over', { timeoutMs: 5000 }), 'taken over');
    assert.ok(Date.now() - started < 1000);
    await store.close();
  }));

test('reads share a snapshot per event-loop turn, yet see this store\'s writes at once and other writers\' by the next turn', () =>
  withDir(async (dir) => {
    const path = join(dir, 'm.db');
    const store = await SqliteStore.open({ path });
    const other = new DatabaseSync(path); // stands in for another process
    const insertOther = other.prepare("INSERT INTO records VALUES ('c', ?, '{\"by\":\"other\"}', 1, NULL, 0, 0)");
    try {
      assert.equal(await store.get('c', 'own'), undefined); // opens the turn's snapshot
      await store.put('c', 'own', { by: 'store' });
      assert.deepEqual((await store.get('c', 'own'))?.doc, { by: 'store' }, 'own writes are visible immediately');

      assert.equal(await store.get('c', 'ext1'), undefined);
      insertOther.run('ext1');
      await new Promise((r) => setImmediate(r));
      assert.deepEqual((await store.get('c', 'ext1'))?.doc, { by: 'other' }, 'visible from the next turn');

      // Within one long turn, the snapshot is renewed after a few milliseconds.
      assert.equal(await store.get('c', 'ext2'), undefined);
      insertOther.run('ext2');
      const until = performance.now() + 10;
      while (performance.now() < until); // stay in this turn
      assert.deepEqual((await store.get('c', 'ext2'))?.doc, { by: 'other' });
      assert.equal(await store.count('c'), 3);
    } finally {
      other.close();
      await store.close();
    }
  }));
