import { DelegatingStoreOps } from '../delegating-store.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Clock } from '@mandate/core';
import { MandateError, systemClock } from '@mandate/core';
import { KeyedMutex, Semaphore } from '../keyed-mutex.ts';
import { LocalPubSub } from '../local-pubsub.ts';
import { checkActive, checkBound, checkChannel, checkCollection, checkExpiresAt, checkId, checkLimit, checkPayload, checkVersion, encodeDoc } from '../keys.ts';
import { idRange, recordFromRow, writtenRecord, type RecordRow } from '../rows.ts';
import { LockTimeoutError, StoreConflictError, type ListOptions, type ListResult, type PutOptions, type Store, type StoreOps, type StoredRecord } from '../store.ts';
import { toStoreError } from './errors.ts';
import { PgListener } from './listener.ts';
import { migratePostgres } from './migrate.ts';
import { queries, rangeArgs, rangeName, type Range } from './queries.ts';

export interface PostgresStoreOptions {
  /** postgres:// or postgresql:// connection URL (as in MANDATE_DATABASE_URL). */
  url: string;
  /** Schema holding Mandate's tables (created if missing; default `public`). */
  schema?: string;
  clock?: Clock;
  /** Pool size (default 10). */
  poolSize?: number;
  /** Connecting gives up after this long with an `unavailable` error (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * A query without an answer for this long fails with `unavailable` and its connection is discarded
   * (default 10000 ms): an established connection that silently stops carrying bytes (a partition) would
   * otherwise hang requests until TCP keepalive gives up, minutes later.
   */
  queryTimeoutMs?: number;
}

type Row = RecordRow;

interface TxContext {
  client: pg.PoolClient;
  done: boolean;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
const LOCK_NOT_AVAILABLE = '55P03';

// BIGINT (int8, OID 20) columns hold epoch milliseconds, well inside Number's safe range.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text'))) as typeof pg.types.getTypeParser,
};

/**
 * PostgreSQL backend for several Mandate instances sharing one database. Transactions run on a
 * dedicated pooled client found through AsyncLocalStorage, so nested calls and store calls made
 * inside `fn` join it. withLock is a session advisory lock; publish/subscribe is NOTIFY/LISTEN, so
 * events reach every instance. Hot statements are named (prepared once per connection).
 */
export class PostgresStore extends DelegatingStoreOps implements Store {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  #pool: pg.Pool;
  /**
   * Session advisory locks hold a connection for as long as the lock is held. They get their own pool:
   * taken from #pool, more concurrent holders than the pool size would hold every connection while their
   * work waits for one (a refresh storm of 11 users failed with `unavailable`). Outer holders are bounded
   * by #lockSlots (half the lock pool, waiting until the lock deadline); nested locks use the other half.
   */
  #lockPool: pg.Pool;
  #lockSlots: Semaphore;
  /** Set inside a withLock callback: a nested lock (e.g. data-key creation during a refresh) skips the slot limit and uses the lock pool's headroom. */
  #lockHeld = new AsyncLocalStorage<true>();
  #clock: Clock;
  #q: ReturnType<typeof queries>;
  #als = new AsyncLocalStorage<TxContext>();
  #mutex = new KeyedMutex();
  #pubsub = new LocalPubSub();
  #listener: PgListener;
  /** Store channel <-> PostgreSQL channel (namespaced by schema and hashed to a safe identifier). */
  #pgChannels = new Map<string, string>();
  #channels = new Map<string, string>();
  #plain: StoreOps;

  private constructor(pool: pg.Pool, lockPool: pg.Pool, schema: string, clock: Clock, makeClient: () => pg.Client) {
    super();
    this.#pool = pool;
    this.#lockPool = lockPool;
    this.#lockSlots = new Semaphore(Math.max(1, Math.floor(lockPool.options.max / 2)));
    this.schema = schema;
    this.#clock = clock;
    this.#q = queries(schema);
    this.#listener = new PgListener(makeClient, (pgChannel, payload) => {
      const channel = this.#channels.get(pgChannel);
      if (channel !== undefined) this.#pubsub.deliver(channel, payload);
    });
    this.#plain = this.#ops(undefined);
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'public';
    if (!SCHEMA.test(schema)) throw new MandateError('validation', 'A schema name must be 1-63 characters from a-z 0-9 _, not starting with a digit.');
    const clock = options.clock ?? systemClock;
    const config: pg.PoolConfig = {
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 10_000,
      keepAlive: true,
      application_name: `mandate:${schema}`,
      types,
    };
    const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10, idleTimeoutMillis: 30_000 });
    // An idle client whose connection drops is removed by the pool; without a handler it would crash the process.
    pool.on('error', () => undefined);
    const lockPool = new pg.Pool({ ...config, max: 2 * (options.poolSize ?? 10), idleTimeoutMillis: 30_000, application_name: `mandate:lock:${schema}` });
    lockPool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, schema, clock.now());
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      await lockPool.end().catch(() => undefined);
      throw toStoreError(err);
    }
    return new PostgresStore(pool, lockPool, schema, clock, () => new pg.Client({ ...config, application_name: `mandate:listen:${schema}` }));
  }

  #ctx(): TxContext | undefined {
    const c = this.#als.getStore();
    return c && !c.done ? c : undefined;
  }

  async #run<R extends pg.QueryResultRow>(ctx: TxContext | undefined, name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    checkActive(ctx);
    try {
      return await (ctx ? ctx.client : this.#pool).query<R>({ name, text, values });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  #ops(ctx: TxContext | undefined): StoreOps {
    const q = this.#q;
    return {
      get: async <T>(collection: string, id: string) => {
        checkId(collection, id);
        const r = (await this.#run<Row>(ctx, 'mandate_get', q.get, [collection, id])).rows[0];
        if (!r || (r.expires_at !== null && r.expires_at <= this.#clock.now())) return undefined;
        return recordFromRow<T>(id, r);
      },
      insert: async <T>(collection: string, id: string, doc: T, options: PutOptions = {}) => {
        checkId(collection, id);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        const now = this.#clock.now();
        const res = await this.#run(ctx, 'mandate_insert', q.insert, [collection, id, json, options.expiresAt ?? null, now]);
        if (res.rowCount === 0) throw new StoreConflictError(collection, id);
        return writtenRecord<T>(id, json, 1, now, now, options);
      },
      put: async <T>(collection: string, id: string, doc: T, options: PutOptions = {}) => {
        checkId(collection, id);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        const now = this.#clock.now();
        const r = (await this.#run<{ version: number; created_at: number }>(ctx, 'mandate_put', q.put, [collection, id, json, options.expiresAt ?? null, now])).rows[0]!;
        return writtenRecord<T>(id, json, r.version, r.created_at, now, options);
      },
      update: async <T>(collection: string, id: string, doc: T, expectedVersion: number, options: PutOptions = {}) => {
        checkId(collection, id);
        checkVersion(expectedVersion);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        const now = this.#clock.now();
        const values = [collection, id, json, options.expiresAt ?? null, now, expectedVersion];
        const r = (await this.#run<{ version: number; created_at: number }>(ctx, 'mandate_update', q.update, values)).rows[0];
        return r ? writtenRecord<T>(id, json, r.version, r.created_at, now, options) : undefined;
      },
      delete: async (collection: string, id: string, expectedVersion?: number) => {
        checkId(collection, id);
        if (expectedVersion !== undefined) checkVersion(expectedVersion);
        const now = this.#clock.now();
        const res =
          expectedVersion === undefined
            ? await this.#run(ctx, 'mandate_delete', q.delete, [collection, id, now])
            : await this.#run(ctx, 'mandate_delete_version', q.deleteVersion, [collection, id, now, expectedVersion]);
        return (res.rowCount ?? 0) > 0;
      },
      list: async <T>(collection: string, options: ListOptions = {}): Promise<ListResult<T>> => {
        checkCollection(collection);
        checkBound(options.prefix, 'prefix');
        checkBound(options.after, 'after');
        const limit = checkLimit(options.limit);
        const range = idRange(options.prefix, options.after);
        const args = [...rangeArgs(collection, range, this.#clock.now()), limit + 1];
        const rows = (await this.#run<Row>(ctx, rangeName('list', range), q.range('list', range), args)).rows;
        const more = rows.length > limit;
        const items = (more ? rows.slice(0, limit) : rows).map((r) => recordFromRow<T>(r.id!, r));
        return { items, next: more ? items[limit - 1]!.id : undefined };
      },
      count: async (collection: string, prefix?: string) => {
        checkCollection(collection);
        checkBound(prefix, 'prefix');
        const range = idRange(prefix, undefined);
        const res = await this.#run<{ n: number }>(ctx, rangeName('count', range), q.range('count', range), rangeArgs(collection, range, this.#clock.now()));
        return res.rows[0]!.n;
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

  async #connect(pool: pg.Pool = this.#pool): Promise<pg.PoolClient> {
    try {
      return await pool.connect();
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    const outer = this.#ctx();
    if (outer) return fn(this.#ops(outer));
    const client = await this.#connect();
    const ctx: TxContext = { client, done: false };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await this.#als.run(ctx, () => fn(this.#ops(ctx)));
      ctx.done = true;
      const commit = await client.query('COMMIT');
      // COMMIT of a transaction in which a statement failed (and fn caught it) silently rolls back.
      if (commit.command === 'ROLLBACK') throw new MandateError('internal', 'The transaction was rolled back because a statement inside it failed.');
      return result;
    } catch (err) {
      ctx.done = true;
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw toStoreError(err);
    } finally {
      client.release(broken);
    }
  }

  /**
   * A session advisory lock on a dedicated pooled client, waited for under `lock_timeout` (a wait past
   * it fails with 55P03 and becomes LockTimeoutError). In-process contenders queue on a mutex first, so
   * a burst of them holds one connection, not the whole pool. Keys are namespaced by schema.
   */
  async withLock<T>(key: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const release = await this.#mutex.acquire(key, deadline);
    let slot: (() => void) | undefined;
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    const lockKey = pg.escapeLiteral(`${this.schema}:${key}`);
    try {
      if (this.#lockHeld.getStore() !== true) slot = await this.#lockSlots.acquire(key, deadline);
      client = await this.#connect(this.#lockPool);
      const wait = Math.max(1, deadline - Date.now());
      // One simple-protocol round trip runs as one implicit transaction: if the lock wait fails, the SET is undone too.
      try {
        // The lock wait may legitimately outlast the query timeout: give this query the lock's own deadline.
        // (pg honours a per-query query_timeout; @types/pg's QueryConfig lacks the field.)
        const lockQuery: pg.QueryConfig & { query_timeout: number } = { text: `SET lock_timeout = ${wait}; SELECT pg_advisory_lock(hashtextextended(${lockKey}, 0))`, query_timeout: wait + 5_000 };
        await client.query(lockQuery);
      } catch (err) {
        if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new LockTimeoutError(key);
        broken = err as Error;
        throw toStoreError(err);
      }
      try {
        return await this.#lockHeld.run(true, fn);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtextextended(${lockKey}, 0)); RESET lock_timeout`).catch((e: Error) => (broken = e));
      }
    } finally {
      client?.release(broken);
      slot?.();
      release();
    }
  }

  #pgChannel(channel: string): string {
    let name = this.#pgChannels.get(channel);
    if (!name) {
      name = `mandate_${createHash('sha256').update(`${this.schema}\0${channel}`).digest('hex').slice(0, 40)}`;
      this.#pgChannels.set(channel, name);
      this.#channels.set(name, channel);
    }
    return name;
  }

  async publish(channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    checkPayload(payload);
    // Inside a transaction this runs on its client: PostgreSQL delivers at commit and drops on rollback.
    await this.#run(this.#ctx(), 'mandate_notify', this.#q.notify, [this.#pgChannel(channel), payload]);
  }

  async subscribe(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    checkChannel(channel);
    const pgChannel = this.#pgChannel(channel);
    if (this.#pubsub.add(channel, listener)) {
      try {
        await this.#listener.listen(pgChannel);
      } catch (err) {
        this.#pubsub.remove(channel, listener);
        throw err;
      }
    }
    return async () => {
      if (this.#pubsub.remove(channel, listener)) await this.#listener.unlisten(pgChannel);
    };
  }

  async sweep(): Promise<number> {
    return (await this.#run(undefined, 'mandate_sweep', this.#q.sweep, [this.#clock.now()])).rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (!this.markClosed()) return;
    this.#pubsub.clear();
    await this.#listener.close();
    await this.#pool.end().catch(() => undefined);
    await this.#lockPool.end().catch(() => undefined);
  }
}
