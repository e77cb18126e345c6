import { DelegatingStoreOps } from './delegating-store.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '@mandate/core';
import { systemClock } from '@mandate/core';
import { KeyedMutex } from './keyed-mutex.ts';
import { LocalPubSub } from './local-pubsub.ts';
import { checkActive, checkBound, checkChannel, checkExpiresAt, checkId, checkCollection, checkLimit, checkPayload, checkVersion, compareIds, encodeDoc } from './keys.ts';
import { StoreConflictError, type ListOptions, type ListResult, type PutOptions, type Store, type StoreOps, type StoredRecord } from './store.ts';

interface Row {
  json: string;
  version: number;
  expiresAt: number | undefined;
  createdAt: number;
  updatedAt: number;
}

/** Writes of an open transaction: invisible to everyone else until commit (null = deleted). */
interface TxContext {
  overlay: Map<string, Map<string, Row | null>>;
  published: Array<[string, string]>;
  done: boolean;
}

/**
 * The in-memory twin: the reference behaviour every adapter must match (test/contract.ts).
 * Transactions are serialised and isolated like the database adapters: their writes sit in an overlay
 * that only the transaction sees, writes from outside wait for it to finish, and a throw discards the
 * overlay (so concurrent writes made outside are never lost by a rollback).
 */
export class MemoryStore extends DelegatingStoreOps implements Store {
  readonly kind = 'memory' as const;
  #base = new Map<string, Map<string, Row>>();
  #als = new AsyncLocalStorage<TxContext>();
  #active: Promise<void> | undefined;
  #mutex = new KeyedMutex();
  #pubsub = new LocalPubSub();
  #clock: Clock;
  #plain: StoreOps;

  constructor(options: { clock?: Clock } = {}) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.#plain = this.#ops(undefined);
  }

  #current(): StoreOps {
    const ctx = this.#ctx();
    return ctx ? this.#ops(ctx) : this.#plain;
  }

  #ctx(): TxContext | undefined {
    const c = this.#als.getStore();
    return c && !c.done ? c : undefined;
  }

  /** Writes from outside a transaction wait until the running one (if any) has finished. */
  async #turn(ctx: TxContext | undefined): Promise<void> {
    if (ctx) return checkActive(ctx);
    while (this.#active) await this.#active;
  }

  #live(row: Row | undefined | null): Row | undefined {
    if (!row) return undefined;
    return row.expiresAt !== undefined && row.expiresAt <= this.#clock.now() ? undefined : row;
  }

  #raw(ctx: TxContext | undefined, collection: string, id: string): Row | undefined {
    checkActive(ctx);
    const o = ctx?.overlay.get(collection);
    if (o?.has(id)) return o.get(id) ?? undefined;
    return this.#base.get(collection)?.get(id);
  }

  #set(ctx: TxContext | undefined, collection: string, id: string, row: Row | null): void {
    if (ctx) {
      let o = ctx.overlay.get(collection);
      if (!o) ctx.overlay.set(collection, (o = new Map()));
      o.set(id, row);
      return;
    }
    let col = this.#base.get(collection);
    if (!col) this.#base.set(collection, (col = new Map()));
    if (row) col.set(id, row);
    else col.delete(id);
  }

  #record<T>(id: string, row: Row): StoredRecord<T> {
    return { id, doc: JSON.parse(row.json) as T, version: row.version, expiresAt: row.expiresAt, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  #write<T>(ctx: TxContext | undefined, collection: string, id: string, json: string, version: number, createdAt: number | undefined, options: PutOptions): StoredRecord<T> {
    const now = this.#clock.now();
    const row: Row = { json, version, expiresAt: options.expiresAt, createdAt: createdAt ?? now, updatedAt: now };
    this.#set(ctx, collection, id, row);
    return this.#record<T>(id, row);
  }

  #ops(ctx: TxContext | undefined): StoreOps {
    return {
      get: async <T>(collection: string, id: string) => {
        checkId(collection, id);
        const row = this.#live(this.#raw(ctx, collection, id));
        return row ? this.#record<T>(id, row) : undefined;
      },
      insert: async <T>(collection: string, id: string, doc: T, options: PutOptions = {}) => {
        checkId(collection, id);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        await this.#turn(ctx);
        if (this.#live(this.#raw(ctx, collection, id))) throw new StoreConflictError(collection, id);
        return this.#write<T>(ctx, collection, id, json, 1, undefined, options);
      },
      put: async <T>(collection: string, id: string, doc: T, options: PutOptions = {}) => {
        checkId(collection, id);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        await this.#turn(ctx);
        const cur = this.#live(this.#raw(ctx, collection, id));
        return this.#write<T>(ctx, collection, id, json, cur ? cur.version + 1 : 1, cur?.createdAt, options);
      },
      update: async <T>(collection: string, id: string, doc: T, expectedVersion: number, options: PutOptions = {}) => {
        checkId(collection, id);
        checkVersion(expectedVersion);
        checkExpiresAt(options.expiresAt);
        const json = encodeDoc(doc);
        await this.#turn(ctx);
        const cur = this.#live(this.#raw(ctx, collection, id));
        if (!cur || cur.version !== expectedVersion) return undefined;
        return this.#write<T>(ctx, collection, id, json, cur.version + 1, cur.createdAt, options);
      },
      delete: async (collection: string, id: string, expectedVersion?: number) => {
        checkId(collection, id);
        if (expectedVersion !== undefined) checkVersion(expectedVersion);
        await this.#turn(ctx);
        const cur = this.#live(this.#raw(ctx, collection, id));
        if (!cur || (expectedVersion !== undefined && cur.version !== expectedVersion)) return false;
        this.#set(ctx, collection, id, null);
        return true;
      },
      list: async <T>(collection: string, options: ListOptions = {}): Promise<ListResult<T>> => {
        checkCollection(collection);
        checkBound(options.prefix, 'prefix');
        checkBound(options.after, 'after');
        const limit = checkLimit(options.limit);
        checkActive(ctx);
        const ids = new Set(this.#base.get(collection)?.keys() ?? []);
        for (const id of ctx?.overlay.get(collection)?.keys() ?? []) ids.add(id);
        const items: StoredRecord<T>[] = [];
        for (const id of [...ids].sort(compareIds)) {
          if (options.prefix !== undefined && !id.startsWith(options.prefix)) continue;
          if (options.after !== undefined && compareIds(id, options.after) <= 0) continue;
          const row = this.#live(this.#raw(ctx, collection, id));
          if (!row) continue;
          if (items.length === limit) return { items, next: items[limit - 1]!.id };
          items.push(this.#record<T>(id, row));
        }
        return { items, next: undefined };
      },
      count: async (collection: string, prefix?: string) => {
        checkCollection(collection);
        checkBound(prefix, 'prefix');
        checkActive(ctx);
        const ids = new Set(this.#base.get(collection)?.keys() ?? []);
        for (const id of ctx?.overlay.get(collection)?.keys() ?? []) ids.add(id);
        let n = 0;
        for (const id of ids) if ((prefix === undefined || id.startsWith(prefix)) && this.#live(this.#raw(ctx, collection, id))) n++;
        return n;
      },
    };
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
    const ctx: TxContext = { overlay: new Map(), published: [], done: false };
    try {
      const result = await this.#als.run(ctx, () => fn(this.#ops(ctx)));
      ctx.done = true;
      for (const [collection, rows] of ctx.overlay) for (const [id, row] of rows) this.#set(undefined, collection, id, row);
      for (const [channel, payload] of ctx.published) this.#pubsub.deliver(channel, payload);
      return result;
    } finally {
      ctx.done = true;
      this.#active = undefined;
      finished();
    }
  }

  async withLock<T>(key: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const release = await this.#mutex.acquire(key, Date.now() + (options.timeoutMs ?? 30_000));
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async publish(channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    checkPayload(payload);
    const ctx = this.#ctx();
    // Like PostgreSQL NOTIFY: inside a transaction, delivered at commit and dropped on rollback.
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
    let n = 0;
    const now = this.#clock.now();
    for (const col of this.#base.values()) {
      for (const [id, r] of col) if (r.expiresAt !== undefined && r.expiresAt <= now) (col.delete(id), n++);
    }
    return n;
  }

  async close(): Promise<void> {
    if (!this.markClosed()) return;
    this.#pubsub.clear();
  }
}
