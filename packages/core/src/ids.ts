import { randomBytes, randomUUID } from 'node:crypto';

/** 128+ bits of CSPRNG entropy, base64url: for session URIs, states, opaque handles (RFC 6749 §10.10). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function uuid(): string {
  return randomUUID();
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric string (e.g. the suffix of a runtime id: `name-AbCdEf1234`). */
export function randomAlnum(length: number): string {
  const out: string[] = [];
  const buf = randomBytes(length * 2);
  for (let i = 0; out.length < length; i++) {
    const b = buf[i % buf.length]!;
    if (b < 248) out.push(ALNUM[b % 62]!); // 248 = 4*62: reject to keep the distribution uniform
    if (i >= buf.length - 1 && out.length < length) return out.join('') + randomAlnum(length - out.length);
  }
  return out.join('');
}

/** AWS-style access key id: `AKIA` (long-term) + 16 upper-case alphanumerics. */
export function accessKeyId(prefix = 'MKIA'): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const buf = randomBytes(16);
  let s = prefix;
  for (const b of buf) s += chars[b % 32];
  return s;
}
