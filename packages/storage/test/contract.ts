import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@mandate/core';
import { StoreClosedError, type Store } from '../src/store.ts';
import { recordContract } from './contract-records.ts';
import { listContract } from './contract-list.ts';
import { transactionContract } from './contract-transactions.ts';
import { coordinationContract } from './contract-coordination.ts';

export interface ContractFixture {
  store: Store;
  cleanup(): Promise<void>;
  /** Opens another instance on the same database (adapters that can share one), for cross-instance checks. */
  reopen?(): Promise<Store>;
}

export interface ContractOptions {
  /** publish on one instance reaches subscribers of another (PostgreSQL NOTIFY). */
  crossInstancePubSub?: boolean;
}

export type MakeStore = (clock: ManualClock) => Promise<ContractFixture>;

/**
 * The one suite every Store adapter must pass. Each test gets a fresh store on a ManualClock, so
 * timestamps and expiry are exact; locks use real time (leases are about real processes).
 */
export function runStoreContract(name: string, makeStore: MakeStore, options: ContractOptions = {}): void {
  describe(`Store contract: ${name}`, () => {
    recordContract(makeStore);
    listContract(makeStore);
    transactionContract(makeStore);
    coordinationContract(makeStore, options);
    test('after close, record operations reject with StoreClosedError, and a second close is harmless', async () => {
      await withStore(makeStore, async (store) => {
        await store.put('c', 'a', { v: 1 });
        await store.close();
        await assert.rejects(store.get('c', 'a'), StoreClosedError);
        await assert.rejects(store.put('c', 'b', { v: 2 }), StoreClosedError);
        await assert.rejects(store.list('c'), StoreClosedError);
        await store.close();
      });
    });
  });
}

/** Runs `fn` with a fresh store and always cleans up. */
export async function withStore(makeStore: MakeStore, fn: (store: Store, clock: ManualClock, fixture: ContractFixture) => Promise<void>): Promise<void> {
  const clock = new ManualClock();
  const fixture = await makeStore(clock);
  try {
    await fn(fixture.store, clock, fixture);
  } finally {
    await fixture.cleanup();
  }
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
