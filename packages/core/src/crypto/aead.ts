import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';
import { MandateError } from '../errors.ts';

/**
 * AES-256-GCM with the discipline NIST SP 800-38D asks for: a fresh 96-bit random IV per seal
 * (§8.2.2; keep each key under 2^32 seals, which the vault enforces by rotating data keys long before),
 * and a full 128-bit tag that is required on open (`authTagLength: 16`, so Node never accepts a
 * truncated tag; DEP0182). Every failure to open is the same `decryption_failure`, so a caller cannot
 * tell a wrong key from a tampered ciphertext or an edited context (fail closed, no oracle).
 */
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const AES_256_KEY_BYTES = 32;

export interface GcmSealed {
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}

export type AesKey = KeyObject | Buffer;

function checkKey(key: AesKey): void {
  const len = Buffer.isBuffer(key) ? key.length : key.symmetricKeySize;
  if (len !== AES_256_KEY_BYTES) throw new TypeError('AES-256-GCM needs a 32-byte key');
}

// randomBytes(12) costs ~2 µs (one CSPRNG call each); IVs are cut from a block filled by the same CSPRNG
// (as randomUUID caches its entropy), ~0.2 µs each. Each IV is copied out and the position only moves
// forward until the block is refilled, so no two IVs share bytes.
const ivBlock = Buffer.alloc(GCM_IV_BYTES * 512);
let ivOffset = ivBlock.length;

/** A fresh random 96-bit GCM IV (NIST SP 800-38D §8.2.2). */
export function randomIv(): Buffer {
  if (ivOffset + GCM_IV_BYTES > ivBlock.length) {
    randomFillSync(ivBlock);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivBlock.subarray(ivOffset, ivOffset + GCM_IV_BYTES));
  ivOffset += GCM_IV_BYTES;
  return iv;
}

export function gcmSeal(key: AesKey, plaintext: Uint8Array, aad: Uint8Array): GcmSealed {
  checkKey(key);
  const iv = randomIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

export function decryptionFailure(message = 'The secret could not be decrypted.'): MandateError {
  return new MandateError('decryption_failure', message);
}

/** Opens a sealed value; throws MandateError('decryption_failure') on any mismatch. */
export function gcmOpen(key: AesKey, sealed: GcmSealed, aad: Uint8Array): Buffer {
  checkKey(key);
  if (sealed.iv.length !== GCM_IV_BYTES || sealed.tag.length !== GCM_TAG_BYTES) throw decryptionFailure();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ct), decipher.final()]);
  } catch (cause) {
    throw new MandateError('decryption_failure', 'The secret could not be decrypted.', { cause });
  }
}

/** iv ‖ ct ‖ tag in one buffer: the compact form used for wrapped data keys. */
export function packGcm(sealed: GcmSealed): Buffer {
  return Buffer.concat([sealed.iv, sealed.ct, sealed.tag]);
}

export function unpackGcm(packed: Uint8Array): GcmSealed {
  if (packed.length < GCM_IV_BYTES + GCM_TAG_BYTES) throw decryptionFailure();
  const b = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  return {
    iv: b.subarray(0, GCM_IV_BYTES),
    ct: b.subarray(GCM_IV_BYTES, b.length - GCM_TAG_BYTES),
    tag: b.subarray(b.length - GCM_TAG_BYTES),
  };
}
