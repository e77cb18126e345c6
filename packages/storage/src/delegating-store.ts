import type { ListOptions, ListResult, PutOptions, StoreOps, StoredRecord } from './store.ts';

/**
 * The record operations every adapter exposes on the store itself. Each call is routed to the
 * current transaction's operations when one is active in this async context (adapters find it
 * through AsyncLocalStorage), so code calling `store.get` inside `store.transaction` joins it;
 * otherwise to the adapter's plain operations.
 */
export abstract class DelegatingStoreOps implements StoreOps {
  protected abstract currentOps(): StoreOps;

  get<T>(collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    return this.currentOps().get<T>(collection, id);
  }
  insert<T>(collection: string, id: string, doc: T, options?: PutOptions): Promise<StoredRecord<T>> {
    return this.currentOps().insert(collection, id, doc, options);
  }
  put<T>(collection: string, id: string, doc: T, options?: PutOptions): Promise<StoredRecord<T>> {
    return this.currentOps().put(collection, id, doc, options);
  }
  update<T>(collection: string, id: string, doc: T, expectedVersion: number, options?: PutOptions): Promise<StoredRecord<T> | undefined> {
    return this.currentOps().update(collection, id, doc, expectedVersion, options);
  }
  delete(collection: string, id: string, expectedVersion?: number): Promise<boolean> {
    return this.currentOps().delete(collection, id, expectedVersion);
  }
  list<T>(collection: string, options?: ListOptions): Promise<ListResult<T>> {
    return this.currentOps().list<T>(collection, options);
  }
  count(collection: string, prefix?: string): Promise<number> {
    return this.currentOps().count(collection, prefix);
  }
}
