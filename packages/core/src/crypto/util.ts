import { createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings or byte arrays (length is not secret; contents are). */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ab = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const bb = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

/** One-shot `crypto.hash`: about half the cost of a Hash object, and this runs on every signed request. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** RFC 5869 HKDF-SHA-256. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array | string, info: Uint8Array | string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/**
 * A public, stable identifier for a symmetric key that reveals nothing about it: a truncated HMAC of
 * a fixed label under the key (so identical keys get identical ids, different keys different ids).
 */
export function keyFingerprint(key: Uint8Array): string {
  return hmacSha256(key, 'mandate key fingerprint v1').subarray(0, 8).toString('hex');
}
