import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError, type StoreOps } from '../src/store.ts';
import { deferred, withStore, type MakeStore } from './contract.ts';

const C = 'tx';

export function transactionContract(makeStore: MakeStore): void {
  test('a transaction commits every write together and returns its value', () =>
    withStore(makeStore, async (store) => {
      await store.insert(C, 'upd', { v: 1 });
      await store.insert(C, 'del', {});
      const result = await store.transaction(async (tx) => {
        await tx.insert(C, 'new', { made: true });
        const u = await tx.update(C, 'upd', { v: 2 }, 1);
        assert.equal(u?.version, 2);
        assert.equal(await tx.delete(C, 'del'), true);
        // Reads inside see the transaction's own writes.
        assert.deepEqual((await tx.get(C, 'new'))?.doc, { made: true });
        assert.equal(await tx.get(C, 'del'), undefined);
        assert.deepEqual((await tx.list(C)).items.map((r) => r.id), ['new', 'upd']);
        assert.equal(await tx.count(C), 2);
        return 'done';
      });
      assert.equal(result, 'done');
      assert.deepEqual((await store.get(C, 'new'))?.doc, { made: true });
      assert.deepEqual(await store.get(C, 'upd').then((r) => [r?.version, r?.doc]), [2, { v: 2 }]);
      assert.equal(await store.get(C, 'del'), undefined);
    }));

  test('a throw inside rolls back inserts, updates and deletes and rethrows the same error', () =>
    withStore(makeStore, async (store) => {
      const upd = await store.insert(C, 'upd', { v: 1 });
      const del = await store.insert(C, 'del', { keep: 'me' });
      const boom = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insert(C, 'new', {});
          await tx.put(C, 'new2', {});
          await tx.update(C, 'upd', { v: 2 }, 1);
          await tx.delete(C, 'del');
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.equal(await store.get(C, 'new'), undefined);
      assert.equal(await store.get(C, 'new2'), undefined);
      assert.deepEqual(await store.get(C, 'upd'), upd);
      assert.deepEqual(await store.get(C, 'del'), del);
      assert.equal(await store.count(C), 2);
      // The store is usable afterwards.
      assert.equal((await store.update(C, 'upd', { v: 3 }, 1))?.version, 2);
    }));

  test('a conflict inside a transaction can be caught without breaking it', () =>
    withStore(makeStore, async (store) => {
      await store.insert(C, 'taken', {});
      await store.transaction(async (tx) => {
        await assert.rejects(tx.insert(C, 'taken', {}), StoreConflictError);
        await tx.insert(C, 'after', {});
      });
      assert.equal((await store.get(C, 'after'))?.version, 1);
    }));

  test('writes are invisible outside until commit', () =>
    withStore(makeStore, async (store) => {
      await store.insert(C, 'seen', { v: 1 });
      const written = deferred();
      const checked = deferred<{ fresh: unknown; seen: unknown; count: number }>();
      // Started outside the transaction's async context, so its reads are not part of it.
      const outside = (async () => {
        await written.promise;
        const r = { fresh: await store.get(C, 'fresh'), seen: (await store.get(C, 'seen'))?.doc, count: await store.count(C) };
        checked.resolve(r);
      })();
      await store.transaction(async (tx) => {
        await tx.insert(C, 'fresh', {});
        await tx.update(C, 'seen', { v: 2 }, 1);
        written.resolve();
        assert.deepEqual(await checked.promise, { fresh: undefined, seen: { v: 1 }, count: 1 });
      });
      await outside;
      assert.deepEqual((await store.get(C, 'seen'))?.doc, { v: 2 });
      assert.equal(await store.count(C), 2);
    }));

  test('nested transactions and store calls made inside join the outer transaction', () =>
    withStore(makeStore, async (store) => {
      const boom = new Error('outer fails');
      await assert.rejects(
        store.transaction(async () => {
          await store.put(C, 'via-store', {});
          const inner = await store.transaction(async (tx2) => {
            await tx2.put(C, 'via-nested', {});
            return 7;
          });
          assert.equal(inner, 7);
          assert.equal(await store.count(C), 2, 'the outer transaction sees what the nested one wrote');
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.equal(await store.count(C), 0);
      await store.transaction(async () => {
        await store.transaction(async (tx) => tx.put(C, 'nested-commit', {}));
      });
      assert.equal((await store.get(C, 'nested-commit'))?.version, 1);
    }));

  test('a tx object used after its transaction finished throws instead of writing outside it', () =>
    withStore(makeStore, async (store) => {
      let leaked: StoreOps | undefined;
      await store.transaction(async (tx) => {
        leaked = tx;
        await tx.put(C, 'in', {});
      });
      const finished = { message: 'This transaction has already finished.' };
      await assert.rejects(leaked!.put(C, 'late', {}), finished);
      await assert.rejects(leaked!.get(C, 'in'), finished);
      await assert.rejects(leaked!.list(C), finished);
      await assert.rejects(leaked!.count(C), finished);
      assert.equal(await store.get(C, 'late'), undefined);
      assert.equal((await store.get(C, 'in'))?.version, 1);
    }));

  test('a write from outside during a transaction survives its rollback', () =>
    withStore(makeStore, async (store) => {
      const started = deferred();
      let outsideWrite: Promise<unknown> | undefined;
      const kick = (async () => {
        await started.promise;
        outsideWrite = store.put(C, 'outside', { ok: true });
      })();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.put(C, 'inside', {});
          started.resolve();
          await kick;
          throw new Error('rollback');
        }),
        /rollback/,
      );
      await outsideWrite;
      assert.deepEqual((await store.get(C, 'outside'))?.doc, { ok: true });
      assert.equal(await store.get(C, 'inside'), undefined);
    }));

  test('concurrent transactions each commit atomically', () =>
    withStore(makeStore, async (store) => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.insert(C, `a${i}`, {});
            await new Promise((r) => setTimeout(r, 1));
            await tx.insert(C, `b${i}`, {});
            if (i % 2 === 1) throw new Error('odd');
          }).catch(() => undefined),
        ),
      );
      const ids = (await store.list(C)).items.map((r) => r.id);
      assert.deepEqual(ids, ['a0', 'a2', 'a4', 'a6', 'a8', 'b0', 'b2', 'b4', 'b6', 'b8']);
    }));

  test('20 concurrent updates from the same version: exactly one wins', () =>
    withStore(makeStore, async (store) => {
      await store.insert(C, 'cas', { winner: null });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.update(C, 'cas', { winner: i }, 1)));
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1);
      const final = await store.get<{ winner: number }>(C, 'cas');
      assert.equal(final?.version, 2);
      assert.deepEqual(final?.doc, winners[0]!.doc);
      // Same inside transactions.
      const inTx = await Promise.all(Array.from({ length: 20 }, (_, i) => store.transaction((tx) => tx.update(C, 'cas', { winner: 100 + i }, 2))));
      assert.equal(inTx.filter((r) => r !== undefined).length, 1);
      assert.equal((await store.get(C, 'cas'))?.version, 3);
    }));

  test('20 concurrent inserts of one id: exactly one succeeds, the rest conflict', () =>
    withStore(makeStore, async (store) => {
      const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.insert(C, 'once', { i })));
      assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 1);
      for (const s of settled) if (s.status === 'rejected') assert.ok(s.reason instanceof StoreConflictError);
    }));
}
