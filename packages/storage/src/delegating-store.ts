import { StoreClosedError, type ListOptions, type ListResult, type PutOptions, type StoreOps, type StoredRecord } from './store.ts';

/**
 * The record operations every adapter exposes on the store itself. Each call is routed to the
 * current transaction's operations when one is active in this async context (adapters find it
 * through AsyncLocalStorage), so code calling `store.get` inside `store.transaction` joins it;
 * otherwise to the adapter's plain operations.
 */
export abstract class DelegatingStoreOps implements StoreOps {
  protected abstract currentOps(): StoreOps;
  #closed = false;

  /** Adapters call this first in close(): later record operations reject with StoreClosedError, not a driver error. Returns false when already closed. */
  protected markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }

  #ops(): StoreOps {
    return this.#closed ? CLOSED : this.currentOps();
  }

  get<T>(collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    return this.#ops().get<T>(collection, id);
  }
  insert<T>(collection: string, id: string, doc: T, options?: PutOptions): Promise<StoredRecord<T>> {
    return this.#ops().insert(collection, id, doc, options);
  }
  put<T>(collection: string, id: string, doc: T, options?: PutOptions): Promise<StoredRecord<T>> {
    return this.#ops().put(collection, id, doc, options);
  }
  update<T>(collection: string, id: string, doc: T, expectedVersion: number, options?: PutOptions): Promise<StoredRecord<T> | undefined> {
    return this.#ops().update(collection, id, doc, expectedVersion, options);
  }
  delete(collection: string, id: string, expectedVersion?: number): Promise<boolean> {
    return this.#ops().delete(collection, id, expectedVersion);
  }
  list<T>(collection: string, options?: ListOptions): Promise<ListResult<T>> {
    return this.#ops().list<T>(collection, options);
  }
  count(collection: string, prefix?: string): Promise<number> {
    return this.#ops().count(collection, prefix);
  }
}

const closed = () => Promise.reject(new StoreClosedError());
const CLOSED: StoreOps = { get: closed, insert: closed, put: closed, update: closed, delete: closed, list: closed, count: closed };
