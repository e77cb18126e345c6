/**
 * Mandate's storage port. Every piece of state (providers, workload identities, access keys, vault
 * tokens, authorization sessions, runtimes...) is a JSON document in a named collection, addressed
 * by a string id, with an integer `version` for compare-and-swap and an optional expiry. This is the
 * adapter shape of node-oidc-provider: small, id + payload + TTL, so every backend is easy to make
 * correct and one contract suite (test/contract.ts) holds every adapter to the same behaviour.
 *
 * Secondary lookups are modelled as separate small documents (an "index" collection) written in the
 * same transaction, so no adapter needs per-collection schema.
 *
 * Semantics every adapter shares (held by test/contract.ts):
 * - Documents are JSON: what is stored is `JSON.stringify(doc)`, what comes back (from reads and from
 *   the write itself) is `JSON.parse` of that.
 * - Collections match /^[A-Za-z0-9_.:-]{1,100}$/; ids are 1-1024 characters of well-formed Unicode
 *   without U+0000 (a lone surrogate would alias U+FFFD in UTF-8 databases). Bad input throws a
 *   MandateError with code `validation` and changes nothing.
 * - Ids are ordered by Unicode code point (UTF-8 byte order), in every adapter.
 * - Every write sets the expiry from its own options: a write without `expiresAt` clears it. An
 *   expired record is absent for every operation (insert and put over it start again at version 1);
 *   `sweep` removes it physically.
 * - Transactions are isolated: nothing they write is visible outside before commit. Calls made on the
 *   store from inside `fn` (found through AsyncLocalStorage) join the transaction, as do nested
 *   `transaction` calls. `publish` inside a transaction is delivered at commit, dropped on rollback.
 */
export interface StoredRecord<T = unknown> {
  id: string;
  doc: T;
  /** Starts at 1 and grows by one on every write. */
  version: number;
  /** Epoch milliseconds, or undefined for no expiry. An expired record reads as absent. */
  expiresAt: number | undefined;
  createdAt: number;
  updatedAt: number;
}

export interface PutOptions {
  /** Epoch milliseconds after which the record reads as absent. */
  expiresAt?: number | undefined;
}

export interface ListOptions {
  /** Only ids starting with this prefix. */
  prefix?: string;
  /** Exclusive lower bound on id (pagination cursor). */
  after?: string;
  /** At most this many records (default 100). */
  limit?: number;
}

export interface ListResult<T> {
  items: StoredRecord<T>[];
  /** Set when more records follow: pass it as `after` for the next page. */
  next: string | undefined;
}

/** Operations available both on the store and inside a transaction. */
export interface StoreOps {
  get<T>(collection: string, id: string): Promise<StoredRecord<T> | undefined>;
  /** Creates a record; throws `StoreConflictError` when a live record with that id exists. */
  insert<T>(collection: string, id: string, doc: T, options?: PutOptions): Promise<StoredRecord<T>>;
  /** Creates or replaces a record. */
  put<T>(collection: string, id: string, doc: T, options?: PutOptions): Promise<StoredRecord<T>>;
  /**
   * Replaces a record only if its current version is `expectedVersion` (compare-and-swap).
   * Returns the new record, or `undefined` when the record is absent or its version differs.
   */
  update<T>(collection: string, id: string, doc: T, expectedVersion: number, options?: PutOptions): Promise<StoredRecord<T> | undefined>;
  /** Deletes a record; with `expectedVersion`, only if the version matches. True when a record was removed. */
  delete(collection: string, id: string, expectedVersion?: number): Promise<boolean>;
  /** Lists live records ordered by id ascending. */
  list<T>(collection: string, options?: ListOptions): Promise<ListResult<T>>;
  /** Counts live records (optionally with an id prefix). */
  count(collection: string, prefix?: string): Promise<number>;
}

export interface Store extends StoreOps {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  /**
   * Runs `fn` atomically: every write inside commits together or not at all. If `fn` throws, the
   * transaction rolls back and the error is rethrown. Nested calls join the outer transaction.
   */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding an exclusive lock named `key`, across every process sharing the store
   * (PostgreSQL advisory lock; SQLite: a lock row with a lease; memory: an in-process mutex).
   * Used for single-flight token refresh.
   */
  withLock<T>(key: string, fn: () => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
  /** Publishes an event to every process sharing the store (PostgreSQL NOTIFY; in-process otherwise). */
  publish(channel: string, payload: string): Promise<void>;
  /** Subscribes to a channel; returns an unsubscribe function. */
  subscribe(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>>;
  /** Deletes expired records; returns how many. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export class StoreConflictError extends Error {
  readonly collection: string;
  readonly id: string;
  constructor(collection: string, id: string) {
    super(`A record with this id already exists in ${collection}.`);
    this.name = 'StoreConflictError';
    this.collection = collection;
    this.id = id;
  }
}

/** A record operation on a store that was closed (the server is shutting down while a request still runs). */
export class StoreClosedError extends Error {
  constructor() {
    super('The store is closed.');
    this.name = 'StoreClosedError';
  }
}

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`Timed out waiting for lock ${key}.`);
    this.name = 'LockTimeoutError';
  }
}
