import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { MandateError } from '../src/errors.ts';
import { canonicalAad, constantTimeEqual, gcmOpen, gcmSeal, hkdfSha256, keyFingerprint, packGcm, randomIv, sha256Hex, unpackGcm } from '../src/crypto/index.ts';

const key = randomBytes(32);
const aad = canonicalAad('test', 1, 'k1', { row: 'a', user: 'alice' });

function failsClosed(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MandateError);
    assert.equal(err.code, 'decryption_failure');
    assert.equal(err.awsType, 'DecryptionFailure');
    assert.equal(err.message, 'The secret could not be decrypted.');
    return true;
  });
}

function flip(b: Buffer, i = 0): Buffer {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
}

describe('AES-256-GCM seal/open', () => {
  test('round trip with a 12-byte IV and a 16-byte tag', () => {
    const s = gcmSeal(key, Buffer.from('hello vault'), aad);
    assert.equal(s.iv.length, 12);
    assert.equal(s.tag.length, 16);
    assert.equal(gcmOpen(key, s, aad).toString(), 'hello vault');
    assert.equal(gcmOpen(key, unpackGcm(packGcm(s)), aad).toString(), 'hello vault');
  });

  test('tampered ciphertext, tag or IV, truncated tag, wrong key and edited context all fail closed', () => {
    const s = gcmSeal(key, Buffer.from('secret value'), aad);
    failsClosed(() => gcmOpen(key, { ...s, ct: flip(s.ct, 3) }, aad));
    failsClosed(() => gcmOpen(key, { ...s, tag: flip(s.tag, 15) }, aad));
    failsClosed(() => gcmOpen(key, { ...s, iv: flip(s.iv) }, aad));
    failsClosed(() => gcmOpen(key, { ...s, tag: s.tag.subarray(0, 12) }, aad));
    failsClosed(() => gcmOpen(key, { ...s, tag: s.tag.subarray(0, 15) }, aad));
    failsClosed(() => gcmOpen(key, { ...s, iv: Buffer.concat([s.iv, Buffer.alloc(4)]) }, aad));
    failsClosed(() => gcmOpen(randomBytes(32), s, aad));
    failsClosed(() => gcmOpen(key, s, canonicalAad('test', 1, 'k1', { row: 'b', user: 'alice' })));
    failsClosed(() => gcmOpen(key, s, canonicalAad('test', 1, 'k2', { row: 'a', user: 'alice' })));
    failsClosed(() => gcmOpen(key, s, canonicalAad('test', 2, 'k1', { row: 'a', user: 'alice' })));
    failsClosed(() => gcmOpen(key, s, canonicalAad('test', 1, 'k1', { row: 'a', user: 'alice', extra: '' })));
    failsClosed(() => unpackGcm(Buffer.alloc(27)));
  });

  test('100,000 seals under one key never repeat an IV', () => {
    const ivs = new Set<string>();
    const pt = Buffer.from('x');
    const k = createSecretKey(key); // a KeyObject, as the vault uses: no per-call key import
    for (let i = 0; i < 100_000; i++) ivs.add(gcmSeal(k, pt, aad).iv.toString('base64'));
    assert.equal(ivs.size, 100_000);
  });

  test('rejects keys that are not 32 bytes', () => {
    assert.throws(() => gcmSeal(randomBytes(16), Buffer.from('x'), aad), { name: 'TypeError', message: 'AES-256-GCM needs a 32-byte key' });
  });
});

describe('random IVs', () => {
  test('are 12 bytes, all distinct across several refills of the block, and unchanged by later refills', () => {
    const seen = new Set<string>();
    const ivs: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      const iv = randomIv();
      assert.equal(iv.length, 12);
      seen.add(iv.toString('hex'));
      ivs.push(iv);
    }
    assert.equal(seen.size, 5000);
    const before = ivs[0]!.toString('hex');
    for (let i = 0; i < 2000; i++) randomIv(); // refills the block
    assert.equal(ivs[0]!.toString('hex'), before);
  });
});

describe('canonical AAD', () => {
  test('independent of key order, distinct for every different context', () => {
    assert.deepEqual(canonicalAad('l', 1, 'k', { b: '2', a: '1' }), canonicalAad('l', 1, 'k', { a: '1', b: '2' }));
    const variants: Record<string, string>[] = [
      { a: 'b,c' }, { a: 'b', c: '' }, { 'a,b': 'c' }, { a: '', b: 'c' }, { ab: 'c' }, { a: 'bc' }, { a: '"b"' }, { a: 'b"', '"c': '' }, {},
    ];
    const encodings = new Set(variants.map((v) => canonicalAad('l', 1, 'k', v).toString('hex')));
    assert.equal(encodings.size, variants.length);
    assert.notDeepEqual(canonicalAad('l', 1, 'k|x', {}), canonicalAad('l', 1, 'k', { '|x': '' }));
  });

  test('rejects non-string context values', () => {
    assert.throws(() => canonicalAad('l', 1, 'k', { a: 1 as unknown as string }), { name: 'TypeError' });
  });
});

describe('helpers', () => {
  test('constantTimeEqual', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2])), true);
  });

  test('sha256Hex, HKDF (RFC 5869 test case 1) and key fingerprints', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const okm = hkdfSha256(Buffer.alloc(22, 0x0b), Buffer.from('000102030405060708090a0b0c', 'hex'), Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'), 42);
    assert.equal(okm.toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
    const k = randomBytes(32);
    assert.equal(keyFingerprint(k), keyFingerprint(Buffer.from(k)));
    assert.notEqual(keyFingerprint(k), keyFingerprint(randomBytes(32)));
    assert.match(keyFingerprint(k), /^[0-9a-f]{16}$/);
  });
});
