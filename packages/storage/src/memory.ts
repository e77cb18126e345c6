import type { Clock } from '@mandate/core';
import { systemClock } from '@mandate/core';
import { LockTimeoutError, StoreConflictError, type ListOptions, type ListResult, type PutOptions, type Store, type StoreOps, type StoredRecord } from './store.ts';

/** The in-memory twin: the reference behaviour every adapter must match (see test/contract.ts). */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  #data = new Map<string, Map<string, StoredRecord>>();
  #locks = new Map<string, Promise<void>>();
  #subs = new Map<string, Set<(p: string) => void>>();
  #clock: Clock;
  #txQueue: Promise<void> = Promise.resolve();

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  #col(c: string): Map<string, StoredRecord> {
    let m = this.#data.get(c);
    if (!m) this.#data.set(c, (m = new Map()));
    return m;
  }

  #live(r: StoredRecord | undefined): StoredRecord | undefined {
    if (!r) return undefined;
    if (r.expiresAt !== undefined && r.expiresAt <= this.#clock.now()) return undefined;
    return r;
  }

  async get<T>(collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    const r = this.#live(this.#col(collection).get(id));
    return r ? (structuredClone(r) as StoredRecord<T>) : undefined;
  }

  async insert<T>(collection: string, id: string, doc: T, options: PutOptions = {}): Promise<StoredRecord<T>> {
    if (this.#live(this.#col(collection).get(id))) throw new StoreConflictError(collection, id);
    return this.#write(collection, id, doc, 1, undefined, options);
  }

  async put<T>(collection: string, id: string, doc: T, options: PutOptions = {}): Promise<StoredRecord<T>> {
    const cur = this.#live(this.#col(collection).get(id));
    return this.#write(collection, id, doc, cur ? cur.version + 1 : 1, cur?.createdAt, options);
  }

  async update<T>(collection: string, id: string, doc: T, expectedVersion: number, options: PutOptions = {}): Promise<StoredRecord<T> | undefined> {
    const cur = this.#live(this.#col(collection).get(id));
    if (!cur || cur.version !== expectedVersion) return undefined;
    return this.#write(collection, id, doc, cur.version + 1, cur.createdAt, options);
  }

  #write<T>(collection: string, id: string, doc: T, version: number, createdAt: number | undefined, options: PutOptions): StoredRecord<T> {
    const now = this.#clock.now();
    const rec: StoredRecord = { id, doc: structuredClone(doc), version, expiresAt: options.expiresAt, createdAt: createdAt ?? now, updatedAt: now };
    this.#col(collection).set(id, rec);
    return structuredClone(rec) as StoredRecord<T>;
  }

  async delete(collection: string, id: string, expectedVersion?: number): Promise<boolean> {
    const col = this.#col(collection);
    const cur = this.#live(col.get(id));
    if (!cur) return false;
    if (expectedVersion !== undefined && cur.version !== expectedVersion) return false;
    col.delete(id);
    return true;
  }

  async list<T>(collection: string, options: ListOptions = {}): Promise<ListResult<T>> {
    const limit = options.limit ?? 100;
    const ids = [...this.#col(collection).keys()].sort();
    const items: StoredRecord<T>[] = [];
    for (const id of ids) {
      if (options.prefix !== undefined && !id.startsWith(options.prefix)) continue;
      if (options.after !== undefined && id <= options.after) continue;
      const r = this.#live(this.#col(collection).get(id));
      if (!r) continue;
      if (items.length === limit) return { items, next: items[items.length - 1]!.id };
      items.push(structuredClone(r) as StoredRecord<T>);
    }
    return { items, next: undefined };
  }

  async count(collection: string, prefix?: string): Promise<number> {
    let n = 0;
    for (const [id, r] of this.#col(collection)) if ((prefix === undefined || id.startsWith(prefix)) && this.#live(r)) n++;
    return n;
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    // Serialise transactions and snapshot the data so a throw restores the previous state.
    const prev = this.#txQueue;
    let release!: () => void;
    this.#txQueue = new Promise((r) => (release = r));
    await prev;
    const snapshot = new Map([...this.#data].map(([k, v]) => [k, new Map(v)]));
    try {
      return await fn(this);
    } catch (err) {
      this.#data = snapshot;
      throw err;
    } finally {
      release();
    }
  }

  async withLock<T>(key: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (this.#locks.has(key)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new LockTimeoutError(key);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#locks.get(key), new Promise((r) => (timer = setTimeout(r, remaining)))]);
      clearTimeout(timer);
    }
    let release!: () => void;
    this.#locks.set(key, new Promise((r) => (release = r)));
    try {
      return await fn();
    } finally {
      this.#locks.delete(key);
      release();
    }
  }

  async publish(channel: string, payload: string): Promise<void> {
    for (const l of this.#subs.get(channel) ?? []) queueMicrotask(() => l(payload));
  }

  async subscribe(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    let s = this.#subs.get(channel);
    if (!s) this.#subs.set(channel, (s = new Set()));
    s.add(listener);
    return async () => {
      s.delete(listener);
    };
  }

  async sweep(): Promise<number> {
    let n = 0;
    const now = this.#clock.now();
    for (const col of this.#data.values()) {
      for (const [id, r] of col) if (r.expiresAt !== undefined && r.expiresAt <= now) (col.delete(id), n++);
    }
    return n;
  }

  async close(): Promise<void> {
    this.#subs.clear();
  }
}
