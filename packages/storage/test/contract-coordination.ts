import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LockTimeoutError } from '../src/store.ts';
import { deferred, sleep, withStore, type ContractOptions, type MakeStore } from './contract.ts';

/** Collects payloads and lets a test wait for a given one. */
function collector() {
  const got: string[] = [];
  const waiters: Array<{ payload: string; resolve: () => void }> = [];
  return {
    got,
    listener: (p: string) => {
      got.push(p);
      for (const w of waiters) if (w.payload === p) w.resolve();
    },
    waitFor(payload: string, ms = 5000): Promise<void> {
      if (got.includes(payload)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${payload} within ${ms} ms; got ${JSON.stringify(got)}`)), ms);
        waiters.push({ payload, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
  };
}

export function coordinationContract(makeStore: MakeStore, options: ContractOptions): void {
  test('withLock: concurrent critical sections on one key never overlap', () =>
    withStore(makeStore, async (store) => {
      let inside = 0;
      let maxInside = 0;
      const order: number[] = [];
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.withLock('key-1', async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            await sleep(3);
            order.push(i);
            inside--;
            return i * 2;
          }),
        ),
      );
      assert.equal(maxInside, 1);
      assert.deepEqual(results, Array.from({ length: 10 }, (_, i) => i * 2));
      assert.equal(order.length, 10);
      // Different keys do not exclude each other.
      const a = deferred();
      const b = store.withLock('key-b', async () => {
        await a.promise;
        return 'b';
      });
      const other = await store.withLock('key-a', async () => {
        a.resolve();
        return 'a';
      }, { timeoutMs: 2000 });
      assert.deepEqual([other, await b], ['a', 'b']);
    }));

  test('withLock: the lock is released after a throw', () =>
    withStore(makeStore, async (store) => {
      const boom = new Error('inside lock');
      await assert.rejects(store.withLock('key-2', async () => { throw boom; }), (err) => err === boom);
      const started = Date.now();
      assert.equal(await store.withLock('key-2', async () => 'again', { timeoutMs: 1000 }), 'again');
      assert.ok(Date.now() - started < 1000);
    }));

  test('withLock: waiting past timeoutMs throws LockTimeoutError', () =>
    withStore(makeStore, async (store) => {
      const release = deferred();
      const holding = deferred();
      const holder = store.withLock('key-3', async () => {
        holding.resolve();
        await release.promise;
      });
      await holding.promise;
      const started = Date.now();
      await assert.rejects(store.withLock('key-3', async () => 'never', { timeoutMs: 150 }), (err: unknown) => {
        assert.ok(err instanceof LockTimeoutError);
        assert.equal(err.message, 'Timed out waiting for lock key-3.');
        return true;
      });
      const waited = Date.now() - started;
      assert.ok(waited >= 140 && waited < 3000, `waited ${waited} ms`);
      release.resolve();
      await holder;
      assert.equal(await store.withLock('key-3', async () => 'free', { timeoutMs: 1000 }), 'free');
    }));

  test('withLock excludes across instances sharing the database', async (t) =>
    withStore(makeStore, async (store, _clock, fixture) => {
      if (!fixture.reopen) return t.skip('the adapter has a single instance per database');
      const second = await fixture.reopen();
      try {
        const release = deferred();
        const holding = deferred();
        const holder = store.withLock('shared', async () => {
          holding.resolve();
          await release.promise;
        });
        await holding.promise;
        await assert.rejects(second.withLock('shared', async () => 'no', { timeoutMs: 150 }), LockTimeoutError);
        const waiting = second.withLock('shared', async () => 'second got it', { timeoutMs: 5000 });
        await sleep(50);
        release.resolve();
        await holder;
        assert.equal(await waiting, 'second got it');
      } finally {
        await second.close();
      }
    }));

  test('publish reaches subscribers; unsubscribe stops delivery', () =>
    withStore(makeStore, async (store) => {
      const one = collector();
      const two = collector();
      const off1 = await store.subscribe('events', one.listener);
      const off2 = await store.subscribe('events', two.listener);
      const elsewhere = collector();
      const off3 = await store.subscribe('other', elsewhere.listener);
      await store.publish('events', 'hello ünïcode 😀');
      await one.waitFor('hello ünïcode 😀');
      await two.waitFor('hello ünïcode 😀');
      await off1();
      await store.publish('events', 'second');
      await two.waitFor('second');
      await store.publish('other', 'sentinel');
      await elsewhere.waitFor('sentinel');
      assert.deepEqual(one.got, ['hello ünïcode 😀']);
      assert.deepEqual(two.got, ['hello ünïcode 😀', 'second']);
      assert.deepEqual(elsewhere.got, ['sentinel']);
      await off2();
      await off3();
    }));

  test('publish inside a transaction is delivered at commit and dropped on rollback', () =>
    withStore(makeStore, async (store) => {
      const c = collector();
      const off = await store.subscribe('txevents', c.listener);
      await assert.rejects(store.transaction(async () => {
        await store.publish('txevents', 'rolled-back');
        throw new Error('no');
      }), /no/);
      await store.transaction(async () => {
        await store.publish('txevents', 'committed');
        await sleep(30);
        assert.deepEqual(c.got, [], 'not delivered before commit');
      });
      await c.waitFor('committed');
      await store.publish('txevents', 'sentinel');
      await c.waitFor('sentinel');
      assert.deepEqual(c.got, ['committed', 'sentinel']);
      await off();
    }));

  test('publish reaches subscribers of another instance', async (t) =>
    withStore(makeStore, async (store, _clock, fixture) => {
      if (!fixture.reopen || !options.crossInstancePubSub) return t.skip('in-process notification only');
      const second = await fixture.reopen();
      try {
        const c = collector();
        const off = await second.subscribe('fanout', c.listener);
        await store.publish('fanout', 'across');
        await c.waitFor('across');
        await off();
      } finally {
        await second.close();
      }
    }));
}
