import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MandateError } from '@mandate/core';
import { StoreConflictError } from '../src/store.ts';
import { withStore, type MakeStore } from './contract.ts';

const C = 'things';

function assertValidation(message: string): (err: unknown) => true {
  return (err: unknown) => {
    assert.ok(err instanceof MandateError, `expected MandateError, got ${String(err)}`);
    assert.equal(err.code, 'validation');
    assert.equal(err.message, message);
    return true;
  };
}

export function recordContract(makeStore: MakeStore): void {
  test('insert creates version 1 and get reads it back exactly', () =>
    withStore(makeStore, async (store, clock) => {
      const t0 = clock.now();
      const rec = await store.insert(C, 'a', { n: 1, nested: { list: [1, 'two', null, true] } });
      assert.deepEqual(rec, { id: 'a', doc: { n: 1, nested: { list: [1, 'two', null, true] } }, version: 1, expiresAt: undefined, createdAt: t0, updatedAt: t0 });
      assert.deepEqual(await store.get(C, 'a'), rec);
      assert.equal(await store.get(C, 'missing'), undefined);
      assert.equal(await store.get('other', 'a'), undefined, 'collections are separate');
    }));

  test('insert over a live record throws StoreConflictError and changes nothing', () =>
    withStore(makeStore, async (store) => {
      const first = await store.insert(C, 'a', { v: 'first' });
      await assert.rejects(store.insert(C, 'a', { v: 'second' }), (err: unknown) => {
        assert.ok(err instanceof StoreConflictError);
        assert.equal(err.collection, C);
        assert.equal(err.id, 'a');
        assert.equal(err.message, 'A record with this id already exists in things.');
        return true;
      });
      assert.deepEqual(await store.get(C, 'a'), first);
    }));

  test('put creates, then replaces with version + 1, keeping createdAt', () =>
    withStore(makeStore, async (store, clock) => {
      const t0 = clock.now();
      const a = await store.put(C, 'p', { x: 1 });
      assert.deepEqual(a, { id: 'p', doc: { x: 1 }, version: 1, expiresAt: undefined, createdAt: t0, updatedAt: t0 });
      clock.advance(5000);
      const b = await store.put(C, 'p', { x: 2 }, { expiresAt: t0 + 60_000 });
      assert.deepEqual(b, { id: 'p', doc: { x: 2 }, version: 2, expiresAt: t0 + 60_000, createdAt: t0, updatedAt: t0 + 5000 });
      assert.deepEqual(await store.get(C, 'p'), b);
    }));

  test('update is compare-and-swap on the version', () =>
    withStore(makeStore, async (store, clock) => {
      const t0 = clock.now();
      await store.insert(C, 'u', { s: 'v1' });
      clock.advance(10);
      const v2 = await store.update(C, 'u', { s: 'v2' }, 1);
      assert.deepEqual(v2, { id: 'u', doc: { s: 'v2' }, version: 2, expiresAt: undefined, createdAt: t0, updatedAt: t0 + 10 });
      assert.equal(await store.update(C, 'u', { s: 'stale' }, 1), undefined);
      assert.equal(await store.update(C, 'u', { s: 'future' }, 3), undefined);
      assert.deepEqual(await store.get(C, 'u'), v2);
      assert.equal(await store.update(C, 'absent', { s: 'x' }, 1), undefined);
      assert.equal(await store.get(C, 'absent'), undefined);
      const v3 = await store.update(C, 'u', { s: 'v3' }, 2);
      assert.equal(v3?.version, 3);
    }));

  test('delete with and without expectedVersion', () =>
    withStore(makeStore, async (store) => {
      await store.insert(C, 'd1', {});
      assert.equal(await store.delete(C, 'd1'), true);
      assert.equal(await store.get(C, 'd1'), undefined);
      assert.equal(await store.delete(C, 'd1'), false);
      await store.insert(C, 'd2', {});
      await store.put(C, 'd2', { again: true });
      assert.equal(await store.delete(C, 'd2', 1), false);
      assert.equal((await store.get(C, 'd2'))?.version, 2);
      assert.equal(await store.delete(C, 'd2', 2), true);
      assert.equal(await store.get(C, 'd2'), undefined);
      // A deleted id can be inserted again, starting over at version 1.
      assert.equal((await store.insert(C, 'd2', {})).version, 1);
    }));

  test('an expired record reads as absent everywhere; insert and put over it start again', () =>
    withStore(makeStore, async (store, clock) => {
      const t0 = clock.now();
      await store.insert(C, 'e', { gen: 1 }, { expiresAt: t0 + 1000 });
      clock.advance(999);
      assert.deepEqual((await store.get(C, 'e'))?.doc, { gen: 1 });
      clock.advance(1); // expiresAt <= now: expired
      assert.equal(await store.get(C, 'e'), undefined);
      assert.equal(await store.update(C, 'e', { gen: 9 }, 1), undefined);
      assert.equal(await store.delete(C, 'e'), false);
      assert.equal(await store.count(C), 0);
      assert.deepEqual((await store.list(C)).items, []);
      const again = await store.insert(C, 'e', { gen: 2 });
      assert.deepEqual(again, { id: 'e', doc: { gen: 2 }, version: 1, expiresAt: undefined, createdAt: t0 + 1000, updatedAt: t0 + 1000 });
      await store.put(C, 'f', { gen: 1 }, { expiresAt: t0 + 1500 });
      clock.advance(500);
      const f = await store.put(C, 'f', { gen: 2 });
      assert.deepEqual(f, { id: 'f', doc: { gen: 2 }, version: 1, expiresAt: undefined, createdAt: t0 + 1500, updatedAt: t0 + 1500 });
    }));

  test('each write sets the expiry from its own options (no expiresAt clears it)', () =>
    withStore(makeStore, async (store, clock) => {
      const t0 = clock.now();
      await store.insert(C, 'x', {}, { expiresAt: t0 + 100 });
      const u = await store.update(C, 'x', {}, 1);
      assert.equal(u?.expiresAt, undefined);
      clock.advance(1000);
      assert.equal((await store.get(C, 'x'))?.version, 2);
      const v = await store.update(C, 'x', {}, 2, { expiresAt: clock.now() + 5 });
      assert.equal(v?.expiresAt, clock.now() + 5);
      assert.equal((await store.get(C, 'x'))?.expiresAt, clock.now() + 5);
    }));

  test('sweep removes expired records, counts them and leaves live ones', () =>
    withStore(makeStore, async (store, clock) => {
      const t0 = clock.now();
      await store.insert(C, 's1', {}, { expiresAt: t0 + 10 });
      await store.insert(C, 's2', {}, { expiresAt: t0 + 20 });
      await store.insert('other', 's3', {}, { expiresAt: t0 + 10 });
      await store.insert(C, 's4', {}, { expiresAt: t0 + 10_000 });
      await store.insert(C, 's5', {});
      assert.equal(await store.sweep(), 0);
      clock.advance(20);
      assert.equal(await store.sweep(), 3);
      assert.equal(await store.sweep(), 0);
      assert.deepEqual((await store.list(C)).items.map((r) => r.id), ['s4', 's5']);
    }));

  test('documents are JSON: what a write returns equals what a read returns', () =>
    withStore(makeStore, async (store) => {
      const when = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
      const written = await store.insert(C, 'j', { when, gone: undefined, kept: null, arr: [undefined, 1] });
      assert.deepEqual(written.doc, { when: '2026-01-02T03:04:05.000Z', kept: null, arr: [null, 1] });
      assert.deepEqual(await store.get(C, 'j'), written);
      assert.deepEqual((await store.put(C, 'scalar', 'just a string')).doc, 'just a string');
      assert.equal((await store.get(C, 'scalar'))?.doc, 'just a string');
      assert.equal((await store.put(C, 'num', 42.5)).doc, 42.5);
      assert.equal((await store.get(C, 'num'))?.doc, 42.5);
    }));

  test('unicode and 1 MB documents round-trip exactly', () =>
    withStore(makeStore, async (store) => {
      const doc = {
        text: 'héllo wörld — 日本語 — العربية — 😀👩‍👩‍👧 — \u0000 nul — \ud800 lone surrogate — \uffff',
        'key with "quotes" and \\ and 😀': 'ok',
        big: 'x'.repeat(1024 * 1024),
        many: Array.from({ length: 2000 }, (_, i) => ({ i, s: `item-${i}-ü` })),
      };
      const rec = await store.insert(C, 'big', doc);
      assert.deepEqual(rec.doc, doc);
      const read = await store.get<typeof doc>(C, 'big');
      assert.deepEqual(read?.doc, doc);
      assert.equal(read?.doc.big.length, 1024 * 1024);
    }));

  test('ids with odd characters are stored and found exactly (no wildcard or quoting surprises)', () =>
    withStore(makeStore, async (store) => {
      const ids = ["it's", 'a"b', 'back\\slash', '100%', 'a_b', 'a%b', 'sp ace', 'new\nline', 'tab\t', '😀', 'é', 'e\u0301', "'; DROP TABLE records; --", '/path/to?x=1&y', '\uffff', 'z'];
      for (const [i, id] of ids.entries()) await store.insert(C, id, { i });
      for (const [i, id] of ids.entries()) assert.deepEqual((await store.get(C, id))?.doc, { i }, id);
      assert.equal(await store.count(C), ids.length);
      assert.deepEqual((await store.list(C, { prefix: 'a%' })).items.map((r) => r.id), ['a%b']);
      assert.deepEqual((await store.list(C, { prefix: 'a_' })).items.map((r) => r.id), ['a_b']);
      assert.equal(await store.count(C, '100'), 1);
      assert.equal(await store.count(C, 'e'), 1, 'é (precomposed) is not e + combining accent');
      assert.equal(await store.delete(C, "'; DROP TABLE records; --"), true);
      assert.equal(await store.count(C), ids.length - 1);
    }));

  test('bad input throws a validation error and writes nothing', () =>
    withStore(makeStore, async (store) => {
      const badId = 'A record id must be 1-1024 characters of well-formed Unicode without U+0000.';
      await assert.rejects(store.insert(C, '', {}), assertValidation(badId));
      await assert.rejects(store.put(C, 'lone\ud800', {}), assertValidation(badId));
      await assert.rejects(store.put(C, 'nul\u0000', {}), assertValidation(badId));
      await assert.rejects(store.get(C, 'x'.repeat(1025)), assertValidation(badId));
      await assert.rejects(store.put('bad name', 'a', {}), assertValidation('A collection name must be 1-100 characters from A-Z a-z 0-9 _ . : -.'));
      await assert.rejects(store.put(C, 'a', undefined), assertValidation('A document must be a JSON value.'));
      await assert.rejects(store.put(C, 'a', {}, { expiresAt: 1.5 }), assertValidation('expiresAt must be an integer number of epoch milliseconds.'));
      await assert.rejects(store.update(C, 'a', {}, 0), assertValidation('A record version must be a positive integer.'));
      await assert.rejects(store.list(C, { limit: 0 }), assertValidation('The list limit must be a positive integer.'));
      await assert.rejects(store.list(C, { prefix: '\udc00' }), assertValidation('The list prefix must be well-formed Unicode without U+0000.'));
      await assert.rejects(store.publish('bad channel', 'x'), assertValidation('A channel name must be 1-63 characters from A-Z a-z 0-9 _ . : -.'));
      await assert.rejects(store.publish('ok', 'x'.repeat(8000)), assertValidation('A published payload must be well-formed text of at most 7999 bytes.'));
      assert.equal(await store.count(C), 0);
      assert.equal(await store.get(C, 'a'), undefined);
    }));
}
