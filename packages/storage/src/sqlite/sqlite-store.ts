import { DelegatingStoreOps } from '../delegating-store.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@mandate/core';
import { MandateError, systemClock } from '@mandate/core';
import { KeyedMutex } from '../keyed-mutex.ts';
import { LocalPubSub } from '../local-pubsub.ts';
import { checkActive, checkBound, checkChannel, checkCollection, checkExpiresAt, checkId, checkLimit, checkPayload, checkVersion, encodeDoc } from '../keys.ts';
import { idRange, recordFromRow, writtenRecord, type RecordRow } from '../rows.ts';
import { LockTimeoutError, StoreConflictError, type ListOptions, type ListResult, type PutOptions, type Store, type StoreOps, type StoredRecord } from '../store.ts';
import { migrateSqlite } from './migrate.ts';
import { rangeArgs, rangeSql, sql, type Range } from './queries.ts';

export interface SqliteStoreOptions {
  /** Database file path (the directory must exist). */
  path: string;
  clock?: Clock;
  /** How long a write waits for another process's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Lease of a withLock row; renewed at a third of it while held (default 30 s). */
  lockLeaseMs?: number;
}

type Row = RecordRow;

interface TxContext {
  published: Array<[string, string]>;
  done: boolean;
}

const SQLITE_BUSY = 5;
const SNAPSHOT_MS = 5;
export const PAGE_SIZE = 16384;
const MMAP_SIZE = 0x7fff0000;
const SQLITE_LOCKED = 6;

/**
 * The default backend: one SQLite file in WAL mode through node:sqlite.
 *
 * Two connections: writes and transactions use the writer; reads outside a transaction use the reader,
 * which in WAL mode sees the last committed state without waiting, so the token hot path never queues
 * behind a transaction and never reads uncommitted writes. node:sqlite is synchronous while the Store
 * API is async, so transactions are serialised in-process: while one runs (BEGIN IMMEDIATE ... COMMIT
 * across its awaits), writes from other async contexts wait for it instead of landing inside it.
 *
 * Publish/subscribe is in-process only: SQLite has no notification channel between processes. Use
 * PostgreSQL when several instances must see each other's events.
 *
 * Open one SqliteStore per file per process and share it: a second instance in the same process would
 * block the event loop (busy timeout) while the first holds the write lock across a transaction's awaits.
 */
export class SqliteStore extends DelegatingStoreOps implements Store {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  #w: DatabaseSync;
  #r: DatabaseSync;
  #clock: Clock;
  #leaseMs: number;
  #als = new AsyncLocalStorage<TxContext>();
  #active: Promise<void> | undefined;
  #mutex = new KeyedMutex();
  #pubsub = new LocalPubSub();
  #stmts = new WeakMap<DatabaseSync, Map<string, StatementSync>>();
  #plain: StoreOps;
  #snapshotAt = -1;
  #endSnapshotBound = (): void => this.#endSnapshot();

  private constructor(path: string, w: DatabaseSync, r: DatabaseSync, clock: Clock, leaseMs: number) {
    super();
    this.path = path;
    this.#w = w;
    this.#r = r;
    this.#clock = clock;
    this.#leaseMs = leaseMs;
    this.#plain = this.#ops(undefined);
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const clock = options.clock ?? systemClock;
    const timeout = options.busyTimeoutMs ?? 5000;
    const w = new DatabaseSync(options.path, { timeout });
    try {
      // Documents are JSON of a few KB (a sealed token pair is ~3.5 KB). In a WITHOUT ROWID table a row
      // keeps at most about a quarter of a page in the B-tree leaf (SQLite file format §1.6, "payload
      // fragments"); at the default 4 KiB page that is ~1 KB and a vault row spills into three overflow
      // pages, each a separate page fetch on every read. At 16 KiB the whole row stays in its leaf.
      // Only takes effect while the file is empty (before WAL mode and the first table); older files
      // keep their page size.
      w.exec(`PRAGMA page_size = ${PAGE_SIZE}`);
      // Switching to WAL needs a moment of exclusive access; another process opening the same new file
      // at the same time can make it report "locked", so retry briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          w.exec('PRAGMA journal_mode = WAL');
          break;
        } catch (err) {
          if (!isBusy(err) || attempt > 50) throw err;
          await sleep(10 + Math.random() * 20);
        }
      }
      // NORMAL in WAL mode: durable against application crashes; a power loss can lose the last commits.
      w.exec('PRAGMA synchronous = NORMAL');
      migrateSqlite(w, clock.now());
      const r = new DatabaseSync(options.path, { timeout });
      r.exec('PRAGMA query_only = 1');
      // The hot path reads here: a larger page cache and memory-mapped reads (no pread and copy per page)
      // keep a primary-key get to a few microseconds on tables much larger than the default 2 MB cache.
      // The map is as large as this SQLite build allows (SQLITE_MAX_MMAP_SIZE, 2 GiB less 64 KiB): it is
      // address space, not memory; pages enter RSS as page cache when read and the kernel can drop them.
      // Random reads over a 1.4 GB vault cost 11 µs mapped against 22 µs with a 256 MiB map.
      r.exec('PRAGMA cache_size = -32768');
      r.exec(`PRAGMA mmap_size = ${MMAP_SIZE}`);
      return new SqliteStore(options.path, w, r, clock, options.lockLeaseMs ?? 30_000);
    } catch (err) {
      w.close();
      throw wrapBusy(err);
    }
  }

  #stmt(db: DatabaseSync, text: string): StatementSync {
    let cache = this.#stmts.get(db);
    if (!cache) this.#stmts.set(db, (cache = new Map()));
    let s = cache.get(text);
    if (!s) cache.set(text, (s = db.prepare(text)));
    return s;
  }

  /**
   * Reads outside transactions share one read transaction (snapshot) per event-loop turn: starting a
   * WAL read transaction costs more than the primary-key search itself, so autocommit reads would spend
   * most of their time there. The snapshot ends at the next turn (setImmediate), after SNAPSHOT_MS
   * even within one long turn, and before and after every write through this store, so this process
   * always reads its own writes; other processes' commits show up from the next turn.
   */
  #snapshot(): DatabaseSync {
    const now = performance.now();
    if (this.#snapshotAt >= 0 && now - this.#snapshotAt > SNAPSHOT_MS) this.#endSnapshot();
    if (this.#snapshotAt < 0) {
      this.#r.exec('BEGIN');
      this.#snapshotAt = now;
      setImmediate(this.#endSnapshotBound);
    }
    return this.#r;
  }

  #endSnapshot(): void {
    if (this.#snapshotAt < 0) return;
    this.#snapshotAt = -1;
    if (this.#r.isOpen && this.#r.isTransaction) this.#r.exec('COMMIT');
  }

  /** Runs a statement on the writer; "database is locked" past the busy timeout becomes `unavailable`. */
  #write<T>(fn: () => T): T {
    this.#endSnapshot();
    try {
      return fn();
    } catch (err) {
      throw wrapBusy(err);
    } finally {
      this.#endSnapshot();
    }
  }

  #ctx(): TxContext | undefined {
    const c = this.#als.getStore();
    return c && !c.done ? c : undefined;
  }

  /** Writes from outside the running transaction wait for it; inside one they go straight through. */
  async #turn(ctx: TxContext | undefined): Promise<void> {
    if (ctx) return checkActive(ctx);
    while (this.#active) await this.#active;
  }

  #ops(ctx: TxContext | undefined): StoreOps {
    const reader = (): DatabaseSync => {
      if (!ctx) return this.#snapshot();
      checkActive(ctx);
      return this.#w;
    };
    return {
      get: async <T>(collection: string, id: string) => {
        checkId(collection, id);
        const r = this.#stmt(reader(), sql.get).get(collection, id) as Row | undefined;
        if (!r || (r.expires_at !== null && r.expires_at <= this.#clock.now())) return undefined;
        return recordFromRow<T>(id, r);
      },
      insert: async <T>(collection: string, id: string, doc: T, options: PutOptions = {}) => {
        checkId(collection, id);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        await this.#turn(ctx);
        const now = this.#clock.now();
        const r = this.#write(() => this.#stmt(this.#w, sql.insert).get(collection, id, json, options.expiresAt ?? null, now));
        if (!r) throw new StoreConflictError(collection, id);
        return writtenRecord<T>(id, json, 1, now, now, options);
      },
      put: async <T>(collection: string, id: string, doc: T, options: PutOptions = {}) => {
        checkId(collection, id);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        await this.#turn(ctx);
        const now = this.#clock.now();
        const r = this.#write(() => this.#stmt(this.#w, sql.put).get(collection, id, json, options.expiresAt ?? null, now)) as { version: number; created_at: number };
        return writtenRecord<T>(id, json, r.version, r.created_at, now, options);
      },
      update: async <T>(collection: string, id: string, doc: T, expectedVersion: number, options: PutOptions = {}) => {
        checkId(collection, id);
        checkVersion(expectedVersion);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        await this.#turn(ctx);
        const now = this.#clock.now();
        const r = this.#write(() => this.#stmt(this.#w, sql.update).get(collection, id, json, options.expiresAt ?? null, now, expectedVersion)) as
          | { version: number; created_at: number }
          | undefined;
        return r ? writtenRecord<T>(id, json, r.version, r.created_at, now, options) : undefined;
      },
      delete: async (collection: string, id: string, expectedVersion?: number) => {
        checkId(collection, id);
        if (expectedVersion !== undefined) checkVersion(expectedVersion);
        await this.#turn(ctx);
        const now = this.#clock.now();
        const res = this.#write(() =>
          expectedVersion === undefined ? this.#stmt(this.#w, sql.delete).run(collection, id, now) : this.#stmt(this.#w, sql.deleteVersion).run(collection, id, now, expectedVersion),
        );
        return res.changes > 0;
      },
      list: async <T>(collection: string, options: ListOptions = {}): Promise<ListResult<T>> => {
        checkCollection(collection);
        checkBound(options.prefix, 'prefix');
        checkBound(options.after, 'after');
        const limit = checkLimit(options.limit);
        const range = idRange(options.prefix, options.after);
        // One row more than asked tells whether another page follows.
        const rows = this.#stmt(reader(), rangeSql('list', range)).all(...rangeArgs(collection, range, this.#clock.now()), limit + 1) as unknown as Row[];
        const more = rows.length > limit;
        const items = (more ? rows.slice(0, limit) : rows).map((r) => recordFromRow<T>(r.id!, r));
        return { items, next: more ? items[limit - 1]!.id : undefined };
      },
      count: async (collection: string, prefix?: string) => {
        checkCollection(collection);
        checkBound(prefix, 'prefix');
        const range = idRange(prefix, undefined);
        const r = this.#stmt(reader(), rangeSql('count', range)).get(...rangeArgs(collection, range, this.#clock.now())) as { n: number };
        return r.n;
      },
    };
  }

  #current(): StoreOps {
    const ctx = this.#ctx();
    return ctx ? this.#ops(ctx) : this.#plain;
  }

  protected currentOps(): StoreOps {
    return this.#current();
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    const outer = this.#ctx();
    if (outer) return fn(this.#ops(outer));
    while (this.#active) await this.#active;
    let finished!: () => void;
    this.#active = new Promise((r) => (finished = r));
    const ctx: TxContext = { published: [], done: false };
    try {
      this.#write(() => this.#w.exec('BEGIN IMMEDIATE'));
      let result: T;
      try {
        result = await this.#als.run(ctx, () => fn(this.#ops(ctx)));
        ctx.done = true;
        this.#write(() => this.#w.exec('COMMIT'));
      } catch (err) {
        ctx.done = true;
        if (this.#w.isTransaction) this.#w.exec('ROLLBACK');
        throw err;
      }
      for (const [channel, payload] of ctx.published) this.#pubsub.deliver(channel, payload);
      return result;
    } finally {
      ctx.done = true;
      this.#active = undefined;
      finished();
    }
  }

  /**
   * In-process contenders queue on a mutex; the holder then takes the `locks` row with an atomic
   * upsert that only succeeds over a free or expired lease, polling with a short backoff while another
   * process holds it. The lease is renewed while `fn` runs and the row deleted afterwards.
   */
  async withLock<T>(key: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const release = await this.#mutex.acquire(key, deadline);
    try {
      const owner = randomUUID();
      for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
        await this.#turn(this.#ctx());
        const now = Date.now();
        if (this.#write(() => this.#stmt(this.#w, sql.lockAcquire).get(key, owner, now + this.#leaseMs, now))) break;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new LockTimeoutError(key);
        await sleep(Math.min(remaining, wait * (0.5 + Math.random())));
      }
      const renew = setInterval(() => {
        void this.#turn(undefined).then(() => this.#stmt(this.#w, sql.lockRenew).run(key, owner, Date.now() + this.#leaseMs)).catch(() => undefined);
      }, this.#leaseMs / 3);
      renew.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await this.#turn(this.#ctx());
        this.#write(() => this.#stmt(this.#w, sql.lockRelease).run(key, owner));
      }
    } finally {
      release();
    }
  }

  async publish(channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    checkPayload(payload);
    const ctx = this.#ctx();
    if (ctx) ctx.published.push([channel, payload]);
    else this.#pubsub.deliver(channel, payload);
  }

  async subscribe(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    checkChannel(channel);
    this.#pubsub.add(channel, listener);
    return async () => {
      this.#pubsub.remove(channel, listener);
    };
  }

  async sweep(): Promise<number> {
    await this.#turn(undefined);
    this.#write(() => this.#stmt(this.#w, sql.lockSweep).run(Date.now()));
    return Number(this.#write(() => this.#stmt(this.#w, sql.sweep).run(this.#clock.now())).changes);
  }

  async close(): Promise<void> {
    if (!this.markClosed()) return;
    while (this.#active) await this.#active;
    this.#pubsub.clear();
    this.#endSnapshot();
    if (this.#r.isOpen) this.#r.close();
    if (this.#w.isOpen) this.#w.close();
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: number } | null)?.errcode;
  return code !== undefined && ((code & 0xff) === SQLITE_BUSY || (code & 0xff) === SQLITE_LOCKED);
}

function wrapBusy(err: unknown): unknown {
  return isBusy(err) ? new MandateError('unavailable', 'The database is busy; try again.', { cause: err }) : err;
}
