import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../src/store.ts';
import { withStore, type MakeStore } from './contract.ts';

const C = 'listed';

async function allPages(store: Store, collection: string, options: { prefix?: string; limit: number }): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await store.list(collection, { ...options, ...(after === undefined ? {} : { after }) });
    pages++;
    assert.ok(page.items.length <= options.limit);
    ids.push(...page.items.map((r) => r.id));
    if (page.next === undefined) break;
    assert.equal(page.next, page.items[page.items.length - 1]!.id, 'next is the last id of the page');
    after = page.next;
    assert.ok(pages < 1000, 'pagination terminates');
  }
  return { ids, pages };
}

export function listContract(makeStore: MakeStore): void {
  test('list orders ids by Unicode code point and returns whole records', () =>
    withStore(makeStore, async (store, clock) => {
      // Code point order puts U+FFFF before U+1F600 (UTF-16 code unit order would not).
      const ids = ['b', 'a', 'B', 'a0', 'a:1', '\uffff', '😀', 'é', 'Z', '10', '9', '~'];
      for (const id of ids) await store.insert(C, id, { id });
      const expected = ['10', '9', 'B', 'Z', 'a', 'a0', 'a:1', 'b', '~', 'é', '\uffff', '😀'];
      const page = await store.list<{ id: string }>(C);
      assert.deepEqual(page.items.map((r) => r.id), expected);
      assert.equal(page.next, undefined);
      assert.deepEqual(page.items[0], { id: '10', doc: { id: '10' }, version: 1, expiresAt: undefined, createdAt: clock.now(), updatedAt: clock.now() });
      assert.deepEqual((await store.list(C, { limit: 5 })).items.map((r) => r.id), expected.slice(0, 5));
      assert.deepEqual((await store.list(C, { after: 'a0' })).items.map((r) => r.id), expected.slice(6));
      assert.deepEqual((await store.list(C, { after: '\uffff' })).items.map((r) => r.id), ['😀']);
      assert.deepEqual((await store.list('empty')).items, []);
    }));

  test('list with prefix is an exact range, including ids continuing above U+FFFF', () =>
    withStore(makeStore, async (store) => {
      for (const id of ['p', 'p:1', 'p:2', 'p\uffff', 'p😀x', 'p\u{10ffff}', 'pa', 'q', 'o\u{10ffff}', 'p\ud7ffz', 'p\ue000']) await store.insert(C, id, {});
      assert.deepEqual((await store.list(C, { prefix: 'p' })).items.map((r) => r.id), ['p', 'p:1', 'p:2', 'pa', 'p\ud7ffz', 'p\ue000', 'p\uffff', 'p😀x', 'p\u{10ffff}']);
      assert.deepEqual((await store.list(C, { prefix: 'p:' })).items.map((r) => r.id), ['p:1', 'p:2']);
      assert.deepEqual((await store.list(C, { prefix: 'o\u{10ffff}' })).items.map((r) => r.id), ['o\u{10ffff}']);
      assert.deepEqual((await store.list(C, { prefix: 'p\ud7ff' })).items.map((r) => r.id), ['p\ud7ffz']);
      assert.deepEqual((await store.list(C, { prefix: '' })).items.length, 11);
      assert.equal(await store.count(C, 'p'), 9);
      assert.equal(await store.count(C, 'p:'), 2);
      assert.equal(await store.count(C, 'nothing'), 0);
      // after beyond the prefix range, and before it.
      assert.deepEqual((await store.list(C, { prefix: 'p:', after: 'p:1' })).items.map((r) => r.id), ['p:2']);
      assert.deepEqual((await store.list(C, { prefix: 'p:', after: 'a' })).items.map((r) => r.id), ['p:1', 'p:2']);
      assert.deepEqual((await store.list(C, { prefix: 'p:', after: 'z' })).items, []);
    }));

  test('pagination visits every live record once, skipping expired ones interleaved', () =>
    withStore(makeStore, async (store, clock) => {
      const live: string[] = [];
      const ids = Array.from({ length: 47 }, (_, i) => `item:${String(i).padStart(3, '0')}`);
      // Insert in a scrambled order; every third record expires.
      for (const [k, id] of ids.map((id, i) => [(i * 17) % 47, id] as const).sort((a, b) => a[0] - b[0])) {
        const expires = Number(id.slice(5)) % 3 === 0;
        await store.insert(C, id, { k }, expires ? { expiresAt: clock.now() + 50 } : {});
        if (!expires) live.push(id);
      }
      await store.insert(C, 'other:1', {});
      await store.insert('elsewhere', 'item:999', {});
      live.sort();
      clock.advance(50);
      for (const limit of [1, 3, 7, 31, 100]) {
        const { ids: seen, pages } = await allPages(store, C, { prefix: 'item:', limit });
        assert.deepEqual(seen, live, `limit ${limit}`);
        assert.equal(pages, Math.max(1, Math.ceil(live.length / limit)), `limit ${limit}: no empty trailing page`);
      }
      assert.equal(await store.count(C, 'item:'), live.length);
      assert.equal(await store.count(C), live.length + 1);
      // A page that ends exactly on the last record reports no next.
      const exact = await store.list(C, { prefix: 'item:', limit: live.length });
      assert.equal(exact.items.length, live.length);
      assert.equal(exact.next, undefined);
      const oneShort = await store.list(C, { prefix: 'item:', limit: live.length - 1 });
      assert.equal(oneShort.next, live[live.length - 2]);
    }));

  test('pagination stays consistent while records are written between pages', () =>
    withStore(makeStore, async (store) => {
      for (let i = 0; i < 10; i++) await store.insert(C, `k${i}`, {});
      const first = await store.list(C, { limit: 4 });
      assert.deepEqual(first.items.map((r) => r.id), ['k0', 'k1', 'k2', 'k3']);
      await store.delete(C, 'k4');
      await store.insert(C, 'k0a', {}); // before the cursor: not revisited
      await store.insert(C, 'k5a', {}); // after the cursor: seen
      const rest = await store.list(C, { after: first.next!, limit: 100 });
      assert.deepEqual(rest.items.map((r) => r.id), ['k5', 'k5a', 'k6', 'k7', 'k8', 'k9']);
    }));
}
