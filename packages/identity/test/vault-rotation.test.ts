import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MandateError, keyFingerprint } from '@mandate/core';
import { MemoryStore } from '@mandate/storage';
import { collections } from '../src/model.ts';
import type { SealedSecret } from '@mandate/core';
import { EnvelopeSecretBox, LocalKeyProvider, countDataKeysByMasterKey, describeKeyConfiguration, checkKmsConfiguration, rotateMasterKey } from '../src/vault/index.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mandate-rotation-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = (i: number) => ({ kind: 'oauth2-token', workload: 'agent', user: `user-${i}`, provider: 'entra' });

interface Ring {
  format: string;
  current: string;
  keys: { id: string; version: number; key?: string; status: string }[];
}
const readRing = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Ring;

/** Seals `n` secrets spread over several data keys (a new DEK every 3 seals). */
async function populate(store: MemoryStore, kp: LocalKeyProvider, n: number): Promise<SealedSecret[]> {
  const box = new EnvelopeSecretBox({ store, keyProvider: kp, maxSealsPerDataKey: 3 });
  const out: SealedSecret[] = [];
  for (let i = 0; i < n; i++) out.push(await box.seal(`secret-${i}`, ctx(i)));
  return out;
}

/** Opens everything from a cold process: a new provider read from the file and an empty DEK cache. */
async function openAllCold(store: MemoryStore, path: string, sealed: SealedSecret[]): Promise<void> {
  const box = new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(path) });
  for (const [i, s] of sealed.entries()) assert.equal(await box.open(s, ctx(i)), `secret-${i}`);
}

describe('local master key ring', () => {
  test('created on first start with mode 0600 as a versioned JSON ring, reused afterwards', async () => {
    const path = join(dir, 'first', 'master.key');
    const kp = await LocalKeyProvider.open({ dataDir: join(dir, 'first'), env: {} });
    assert.equal(kp.kind, 'local-file');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const ring = await readRing(path);
    assert.equal(ring.format, 'mandate-master-key-ring');
    assert.equal(ring.keys.length, 1);
    assert.deepEqual([ring.keys[0]!.version, ring.keys[0]!.status, ring.current], [1, 'active', ring.keys[0]!.id]);
    assert.equal(Buffer.from(ring.keys[0]!.key!, 'base64').length, 32);
    const again = await LocalKeyProvider.open({ dataDir: join(dir, 'first'), env: {} });
    assert.equal(await again.currentKeyId(), ring.current);
    await chmod(path, 0o644);
    await assert.rejects(LocalKeyProvider.fromFile(path), { name: 'MandateError', message: `The master key file ${path} is readable by other users; run chmod 600 on it.` });
    await chmod(path, 0o600);
  });

  test('MANDATE_MASTER_KEY wins over the file and must be 32 bytes of base64', async () => {
    const kp = await LocalKeyProvider.open({ dataDir: join(dir, 'env'), env: { MANDATE_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') } });
    assert.equal(kp.kind, 'local-env');
    await assert.rejects(stat(join(dir, 'env', 'master.key')), { code: 'ENOENT' });
    assert.throws(() => LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(16).toString('base64') }), { name: 'MandateError', message: 'MANDATE_MASTER_KEY must be base64 of exactly 32 bytes.' });
    await assert.rejects(kp.addKeyVersion(), { name: 'MandateError', message: /Set a new MANDATE_MASTER_KEY/ });
  });
});

describe('master-key rotation', () => {
  test('re-wraps every data key, retires the old key, and every secret still decrypts', async () => {
    const path = join(dir, 'rotate', 'master.key');
    const store = new MemoryStore();
    const kp = await LocalKeyProvider.fromFile(path);
    const oldId = await kp.currentKeyId();
    const sealed = await populate(store, kp, 12);
    assert.deepEqual(await countDataKeysByMasterKey(store), { [oldId]: 4 });

    const report = await rotateMasterKey(store, kp);
    assert.equal(report.addedVersion, true);
    assert.notEqual(report.masterKeyId, oldId);
    assert.equal(report.rewrapped, 4);
    assert.deepEqual(report.failed, []);
    assert.deepEqual(report.retired, [oldId]);
    assert.deepEqual(await countDataKeysByMasterKey(store), { [report.masterKeyId]: 4 });

    // The old key's material is gone from the ring; the data keys (and so the sealed secrets) are unchanged.
    const ring = await readRing(path);
    assert.equal(ring.current, report.masterKeyId);
    assert.deepEqual(ring.keys.map((k) => [k.id, k.version, k.status, k.key === undefined]), [[oldId, 1, 'retired', true], [report.masterKeyId, 2, 'active', false]]);
    await openAllCold(store, path, sealed);
    await assert.rejects(kp.unwrapKey('AAAA', oldId, {}), (e: unknown) => e instanceof MandateError && e.code === 'decryption_failure');

    const d = await describeKeyConfiguration(store, kp);
    assert.deepEqual(d, { kmsConfiguration: { keyType: 'ServiceManagedKey' }, provider: 'local-file', currentMasterKeyId: report.masterKeyId, masterKeyIds: [report.masterKeyId], dataKeysByMasterKey: { [report.masterKeyId]: 4 } });
  });

  test('a rotation killed halfway keeps both keys, loses nothing, and finishes when run again', async () => {
    const path = join(dir, 'resume', 'master.key');
    const store = new MemoryStore();
    const kp = await LocalKeyProvider.fromFile(path);
    const oldId = await kp.currentKeyId();
    const sealed = await populate(store, kp, 15); // 5 data keys
    let n = 0;
    await assert.rejects(rotateMasterKey(store, kp, { onRewrapped: () => { if (++n === 2) throw new Error('killed'); } }), { message: 'killed' });
    const newId = await kp.currentKeyId();
    assert.deepEqual(await countDataKeysByMasterKey(store), { [oldId]: 3, [newId]: 2 });
    assert.deepEqual(await kp.activeKeyIds(), [newId, oldId]);
    await openAllCold(store, path, sealed); // mid-rotation, every secret decrypts

    const resumed = await rotateMasterKey(store, await LocalKeyProvider.fromFile(path));
    assert.deepEqual([resumed.addedVersion, resumed.masterKeyId, resumed.rewrapped, resumed.retired], [false, newId, 3, [oldId]]);
    assert.deepEqual(await countDataKeysByMasterKey(store), { [newId]: 5 });
    assert.equal((await readRing(path)).keys.length, 2);
    await openAllCold(store, path, sealed);
  });

  test('rotation while two other processes seal and open: no read failures', async () => {
    const path = join(dir, 'live', 'master.key');
    const store = new MemoryStore();
    const boot = await LocalKeyProvider.fromFile(path);
    const sealed = await populate(store, boot, 9);
    // Two "processes": their own provider instance (their own copy of the ring) and their own DEK cache.
    const procs = await Promise.all([0, 1].map(async () => new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(path), maxSealsPerDataKey: 2 })));
    const written: { s: SealedSecret; i: number }[] = [];
    let stop = false;
    let ops = 0;
    const traffic = procs.map(async (box, p) => {
      let i = 1000 * (p + 1);
      while (!stop) {
        const s = await box.seal(`secret-${i}`, ctx(i));
        written.push({ s, i });
        for (const [j, old] of sealed.entries()) assert.equal(await box.open(old, ctx(j)), `secret-${j}`);
        for (const w of written.slice(-5)) assert.equal(await box.open(w.s, ctx(w.i)), `secret-${w.i}`);
        if (i % 3 === 0) box.clearCache(); // force unwraps through the changing ring
        i++;
        ops++;
        await new Promise((r) => setImmediate(r));
      }
    });
    await new Promise((r) => setTimeout(r, 30));
    const report = await rotateMasterKey(store, boot);
    await new Promise((r) => setTimeout(r, 30));
    stop = true;
    await Promise.all(traffic);
    assert.ok(ops > 10, `traffic ran (${ops} iterations)`);
    // Keys created mid-rotation by processes that had not re-read the ring were caught by the later passes.
    assert.deepEqual(Object.keys(await countDataKeysByMasterKey(store)), [report.masterKeyId]);
    assert.equal(report.retired.length, 1);
    await openAllCold(store, path, [...sealed]);
    const cold = new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(path) });
    for (const w of written) assert.equal(await cold.open(w.s, ctx(w.i)), `secret-${w.i}`);
  });

  test('a data-key row under an unknown master key is reported, and does not block later rotations', async () => {
    const path = join(dir, 'orphan', 'master.key');
    const store = new MemoryStore();
    const kp = await LocalKeyProvider.fromFile(path);
    const sealed = await populate(store, kp, 3);
    await store.put(collections.dataKeys, 'dek-orphan', { dataKeyId: 'dek-orphan', wrappedKey: 'AAAA', masterKeyId: 'mk-0000000000000000', createdTime: 0 });
    const r1 = await rotateMasterKey(store, kp);
    assert.deepEqual([r1.addedVersion, r1.rewrapped, r1.failed, r1.retired.length], [true, 1, ['dek-orphan'], 1]);
    const r2 = await rotateMasterKey(store, kp);
    assert.deepEqual([r2.addedVersion, r2.rewrapped, r2.failed, r2.retired], [true, 1, ['dek-orphan'], [r1.masterKeyId]]);
    assert.deepEqual(await countDataKeysByMasterKey(store), { [r2.masterKeyId]: 1, 'mk-0000000000000000': 1 });
    await openAllCold(store, path, sealed);
  });

  test('a reader that loaded the ring just before another process rotated opens at once', async () => {
    const path = join(dir, 'stale', 'master.key');
    const store = new MemoryStore();
    const sealed = await populate(store, await LocalKeyProvider.fromFile(path), 4);
    const reader = new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(path) });
    const report = await rotateMasterKey(store, await LocalKeyProvider.fromFile(path));
    assert.equal(report.retired.length, 1);
    for (const [i, s] of sealed.entries()) assert.equal(await reader.open(s, ctx(i)), `secret-${i}`);
  });

  test('environment keys: a new MANDATE_MASTER_KEY with the old one in MANDATE_MASTER_KEY_PREVIOUS', async () => {
    const a = Buffer.alloc(32, 0xa).toString('base64');
    const b = Buffer.alloc(32, 0xb).toString('base64');
    const store = new MemoryStore();
    const box = new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: a }), maxSealsPerDataKey: 2 });
    const sealed: SealedSecret[] = [];
    for (let i = 0; i < 5; i++) sealed.push(await box.seal(`secret-${i}`, ctx(i)));
    const report = await rotateMasterKey(store, LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: b, MANDATE_MASTER_KEY_PREVIOUS: a }));
    // "Retired" for an environment key means: no data key needs it, drop it from MANDATE_MASTER_KEY_PREVIOUS.
    assert.deepEqual([report.addedVersion, report.rewrapped, report.retired], [false, 3, [`mk-${keyFingerprint(Buffer.from(a, 'base64'))}`]]);
    const only = new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: b }) });
    for (const [i, s] of sealed.entries()) assert.equal(await only.open(s, ctx(i)), `secret-${i}`);
    await assert.rejects(new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: a }) }).open(sealed[0]!, ctx(0)), { name: 'MandateError', message: 'The data key is wrapped by a master key this server does not hold.' });
    assert.equal(await store.count(collections.dataKeys), 3);
  });

  test('SetTokenVaultCMK mapping: ServiceManagedKey accepted, CustomerManagedKey refused without a KMS provider', () => {
    const kp = LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') });
    checkKmsConfiguration({ keyType: 'ServiceManagedKey' }, kp);
    assert.throws(() => checkKmsConfiguration({ keyType: 'CustomerManagedKey', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/abc' }, kp), {
      name: 'MandateError', code: 'validation', message: 'The KMS key arn:aws:kms:us-west-2:123456789012:key/abc is not available to this Mandate deployment.',
    });
    assert.throws(() => checkKmsConfiguration({ keyType: 'CustomerManagedKey' }, kp), { code: 'validation', message: 'kmsKeyArn is required when keyType is CustomerManagedKey.' });
  });
});
