import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MandateError, systemClock } from '@mandate/core';
import { MemoryStore, SqliteStore } from '@mandate/storage';
import { createAccessKey } from '@mandate/edge';
import { collections } from '../src/model.ts';
import type { SealedSecret } from '@mandate/core';
import { EnvelopeSecretBox, LocalKeyProvider, dataKeyContext, type DataKeyDoc, type KeyProvider } from '../src/vault/index.ts';

const envKey = (fill: number) => ({ MANDATE_MASTER_KEY: Buffer.alloc(32, fill).toString('base64') });
const ctxA = { kind: 'oauth2-token', workload: 'agent-1', user: 'alice', provider: 'entra' };
const ctxB = { kind: 'oauth2-token', workload: 'agent-1', user: 'bob', provider: 'entra' };

async function failsClosed(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof MandateError, String(err));
    assert.equal(err.code, 'decryption_failure');
    assert.equal(err.awsType, 'DecryptionFailure');
    return true;
  });
}

function b64urlFlip(s: string, i: number): string {
  const b = Buffer.from(s, 'base64url');
  b[i] = b[i]! ^ 0x80;
  return b.toString('base64url');
}

function setup(fill = 1, options: { maxSealsPerDataKey?: number } = {}) {
  const store = new MemoryStore();
  const keyProvider = LocalKeyProvider.fromEnv(envKey(fill));
  return { store, keyProvider, box: new EnvelopeSecretBox({ store, keyProvider, ...options }) };
}

describe('EnvelopeSecretBox', () => {
  test('seals and opens; the sealed form and the data-key row hold no plaintext', async () => {
    const { store, box } = setup();
    const sealed = await box.seal('refresh-token-CANARY-1', ctxA);
    assert.equal(sealed.v, 1);
    assert.match(sealed.kid, /^dek-/);
    assert.equal(Buffer.from(sealed.iv, 'base64url').length, 12);
    assert.equal(Buffer.from(sealed.tag, 'base64url').length, 16);
    assert.ok(!JSON.stringify(sealed).includes('CANARY'));
    assert.equal(await box.open(sealed, ctxA), 'refresh-token-CANARY-1');
    assert.equal(await box.open(sealed, { ...ctxA }), 'refresh-token-CANARY-1');
    const dek = await store.get<DataKeyDoc>(collections.dataKeys, sealed.kid);
    assert.deepEqual(Object.keys(dek!.doc).sort(), ['createdTime', 'dataKeyId', 'masterKeyId', 'wrappedKey']);
    assert.match(dek!.doc.masterKeyId, /^mk-[0-9a-f]{16}$/);
  });

  test('swapped rows, edited context, tampered ciphertext/tag/IV, truncated tag, bad shapes: decryption_failure', async () => {
    const { box } = setup();
    const a = await box.seal('token-of-alice', ctxA);
    const b = await box.seal('token-of-bob', ctxB);
    await failsClosed(box.open(a, ctxB)); // alice's ciphertext moved into bob's row
    await failsClosed(box.open(b, ctxA));
    await failsClosed(box.open(a, { ...ctxA, provider: 'github' }));
    await failsClosed(box.open(a, { ...ctxA, extra: '' }));
    const { user: _u, ...missing } = ctxA;
    await failsClosed(box.open(a, missing));
    await failsClosed(box.open({ ...a, ct: b64urlFlip(a.ct, 0) }, ctxA));
    await failsClosed(box.open({ ...a, tag: b64urlFlip(a.tag, 15) }, ctxA));
    await failsClosed(box.open({ ...a, iv: b64urlFlip(a.iv, 0) }, ctxA));
    await failsClosed(box.open({ ...a, tag: Buffer.from(a.tag, 'base64url').subarray(0, 15).toString('base64url') }, ctxA));
    await failsClosed(box.open({ ...a, tag: Buffer.from(a.tag, 'base64url').subarray(0, 12).toString('base64url') }, ctxA));
    await failsClosed(box.open({ ...a, kid: 'dek-unknown' }, ctxA));
    await failsClosed(box.open({ ...a, kid: b.kid === a.kid ? 'dek-other' : b.kid }, ctxA));
    await failsClosed(box.open({ ...a, v: 2 } as unknown as SealedSecret, ctxA));
    await failsClosed(box.open({ ...a, ct: 'not base64!' }, ctxA));
    await failsClosed(box.open(null as unknown as SealedSecret, ctxA));
    await failsClosed(box.open({} as SealedSecret, ctxA));
    assert.equal(await box.open(a, ctxA), 'token-of-alice');
  });

  test('a wrong master key fails closed (environment key and key file)', async () => {
    const { store, box } = setup(1);
    const sealed = await box.seal('s3cret', ctxA);
    await failsClosed(new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv(envKey(2)) }).open(sealed, ctxA));

    const dir = await mkdtemp(join(tmpdir(), 'mandate-vault-'));
    try {
      const fileStore = new MemoryStore();
      const kp = await LocalKeyProvider.fromFile(join(dir, 'master.key'));
      const s = await new EnvelopeSecretBox({ store: fileStore, keyProvider: kp }).seal('s3cret', ctxA);
      // Same file name, different ring (e.g. a restored backup of another installation).
      await rm(join(dir, 'master.key'));
      const other = await LocalKeyProvider.fromFile(join(dir, 'master.key'));
      await failsClosed(new EnvelopeSecretBox({ store: fileStore, keyProvider: other }).open(s, ctxA));
      // A ring whose key was edited under the old id is refused outright.
      const ring = JSON.parse(await readFile(join(dir, 'master.key'), 'utf8')) as { keys: { key: string }[] };
      ring.keys[0]!.key = Buffer.alloc(32, 9).toString('base64');
      await writeFile(join(dir, 'master.key'), JSON.stringify(ring));
      await assert.rejects(LocalKeyProvider.fromFile(join(dir, 'master.key')), { name: 'MandateError', message: /does not match its id/ });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a tampered data-key row fails closed', async () => {
    const { store, box, keyProvider } = setup();
    const sealed = await box.seal('s3cret', ctxA);
    const rec = await store.get<DataKeyDoc>(collections.dataKeys, sealed.kid);
    await store.put(collections.dataKeys, sealed.kid, { ...rec!.doc, wrappedKey: b64urlFlip(rec!.doc.wrappedKey, 20) });
    await failsClosed(new EnvelopeSecretBox({ store, keyProvider }).open(sealed, ctxA));
    // A wrapped key moved to another DEK id does not unwrap either (the DEK id is its wrap context).
    await failsClosed(keyProvider.unwrapKey(rec!.doc.wrappedKey, rec!.doc.masterKeyId, dataKeyContext('dek-other')));
  });

  test('hot path: 1,000 opens unwrap the data key once; concurrent first opens share one unwrap', async () => {
    const { store, box, keyProvider } = setup();
    const sealed = await Promise.all(Array.from({ length: 10 }, (_, i) => box.seal(`v${i}`, { ...ctxA, user: `u${i}` })));
    let unwraps = 0;
    const counting: KeyProvider = { kind: 'counting', wrapKey: (d, c) => keyProvider.wrapKey(d, c), currentKeyId: () => keyProvider.currentKeyId(), activeKeyIds: () => keyProvider.activeKeyIds(), unwrapKey: (w, m, c) => (unwraps++, keyProvider.unwrapKey(w, m, c)) };
    const reader = new EnvelopeSecretBox({ store, keyProvider: counting });
    await Promise.all(sealed.map((s, i) => reader.open(s, { ...ctxA, user: `u${i}` })));
    for (let n = 0; n < 100; n++) for (let i = 0; i < 10; i++) assert.equal(await reader.open(sealed[i]!, { ...ctxA, user: `u${i}` }), `v${i}`);
    assert.equal(unwraps, 1);
    assert.equal(reader.unwrapCount, 1);
  });

  test('data keys rotate after N seals and on demand; concurrent first seals create one data key', async () => {
    const { store, box } = setup(1, { maxSealsPerDataKey: 3 });
    const kids: string[] = [];
    for (let i = 0; i < 7; i++) kids.push((await box.seal(`v${i}`, ctxA)).kid);
    assert.deepEqual(kids.map((k) => kids.indexOf(k)), [0, 0, 0, 3, 3, 3, 6]);
    box.rotateDataKey();
    const next = (await box.seal('v', ctxA)).kid;
    assert.ok(!kids.includes(next));
    assert.equal(await store.count(collections.dataKeys), 4);

    const fresh = setup(1);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => fresh.box.seal(`v${i}`, ctxA)));
    assert.equal(new Set(many.map((s) => s.kid)).size, 1);
    assert.equal(await fresh.store.count(collections.dataKeys), 1);
  });

  test('canary secrets never appear in the raw bytes of the SQLite store (database, WAL and shared-memory files)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mandate-canary-'));
    try {
      const file = join(dir, 'mandate.db');
      const store = await SqliteStore.open({ path: file });
      const keyProvider = await LocalKeyProvider.fromFile(join(dir, 'master.key'));
      const box = new EnvelopeSecretBox({ store, keyProvider });
      const canaries = ['CANARY-refresh-6f1d2a', 'CANARY-client-secret-93be', 'CANARY-api-key-0c77'];
      for (const [i, c] of canaries.entries()) {
        await store.put(collections.vaultTokens, `row-${i}`, { workload: 'agent-1', user: `u${i}`, secret: await box.seal(c, { ...ctxA, user: `u${i}` }) });
      }
      const key = await createAccessKey({ store, secrets: box, clock: systemClock }, { role: 'admin' });
      canaries.push(key.secretAccessKey);
      for (const [i, c] of canaries.slice(0, 3).entries()) {
        const rec = await store.get<{ secret: SealedSecret }>(collections.vaultTokens, `row-${i}`);
        assert.equal(await box.open(rec!.doc.secret, { ...ctxA, user: `u${i}` }), c);
      }
      // Read the bytes while the store is open (the WAL holds recent writes) and after it is closed.
      const secrets: Buffer[] = [];
      const ring = JSON.parse(await readFile(join(dir, 'master.key'), 'utf8')) as { keys: { key: string }[] };
      secrets.push(Buffer.from(ring.keys[0]!.key, 'base64'));
      for (const r of (await store.list<DataKeyDoc>(collections.dataKeys)).items) secrets.push(await keyProvider.unwrapKey(r.doc.wrappedKey, r.doc.masterKeyId, dataKeyContext(r.id)));
      const check = async () => {
        const names = (await readdir(dir)).filter((n) => n.startsWith('mandate.db'));
        assert.ok(names.includes('mandate.db'));
        const bytes = Buffer.concat(await Promise.all(names.map((n) => readFile(join(dir, n)))));
        assert.ok(bytes.includes(Buffer.from('wrappedKey')), 'the data-key rows are in the files');
        for (const c of canaries) assert.equal(bytes.includes(Buffer.from(c)), false, c);
        // Neither the master key nor any unwrapped data key is stored, in any common encoding.
        for (const s of secrets) for (const enc of [s, Buffer.from(s.toString('base64')), Buffer.from(s.toString('base64url')), Buffer.from(s.toString('hex'))]) assert.equal(bytes.includes(enc), false);
      };
      await check();
      await store.close();
      await check();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
