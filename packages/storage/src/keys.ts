import { MandateError } from '@mandate/core';

/**
 * Input rules shared by every adapter, so the same call succeeds or fails the same way everywhere.
 *
 * Ids are stored as UTF-8 text. A lone UTF-16 surrogate has no UTF-8 encoding: SQLite and PostgreSQL
 * would silently store U+FFFD instead, so two different ids would alias one row. U+0000 cannot be
 * stored in PostgreSQL text at all. Both are rejected up front, identically in every adapter.
 */
const COLLECTION = /^[A-Za-z0-9_.:-]{1,100}$/;
// Channel names become PostgreSQL identifiers (LISTEN "name"), which are cut at 63 bytes.
const CHANNEL = /^[A-Za-z0-9_.:-]{1,63}$/;
/** NOTIFY payloads must be shorter than 8000 bytes (PostgreSQL default); every adapter enforces it. */
export const MAX_PAYLOAD_BYTES = 7999;
const MAX_ID_LENGTH = 1024;

export function checkCollection(collection: string): void {
  if (typeof collection !== 'string' || !COLLECTION.test(collection)) {
    throw new MandateError('validation', 'A collection name must be 1-100 characters from A-Z a-z 0-9 _ . : -.');
  }
}

export function checkId(collection: string, id: string): void {
  checkCollection(collection);
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || id.includes('\u0000') || !id.isWellFormed()) {
    throw new MandateError('validation', `A record id must be 1-${MAX_ID_LENGTH} characters of well-formed Unicode without U+0000.`);
  }
}

/** Prefixes and cursors follow the id rules, except that they may be empty. */
export function checkBound(value: string | undefined, what: 'prefix' | 'after'): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > MAX_ID_LENGTH || value.includes('\u0000') || !value.isWellFormed()) {
    throw new MandateError('validation', `The list ${what} must be well-formed Unicode without U+0000.`);
  }
}

export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new MandateError('validation', 'The list limit must be a positive integer.');
  return limit;
}

export function checkExpiresAt(expiresAt: number | undefined): void {
  if (expiresAt !== undefined && !Number.isSafeInteger(expiresAt)) {
    throw new MandateError('validation', 'expiresAt must be an integer number of epoch milliseconds.');
  }
}

export function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) throw new MandateError('validation', 'A record version must be a positive integer.');
}

export function checkChannel(channel: string): void {
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new MandateError('validation', 'A channel name must be 1-63 characters from A-Z a-z 0-9 _ . : -.');
  }
}

export function checkPayload(payload: string): void {
  if (typeof payload !== 'string' || Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES || payload.includes('\u0000') || !payload.isWellFormed()) {
    throw new MandateError('validation', `A published payload must be well-formed text of at most ${MAX_PAYLOAD_BYTES} bytes.`);
  }
}

/**
 * Documents are JSON: every adapter stores `JSON.stringify(doc)` and hands back `JSON.parse` of it, so a
 * Date comes back as a string and `undefined` members vanish, the same in memory as in a database.
 */
export function encodeDoc(doc: unknown): string {
  const text = JSON.stringify(doc);
  if (typeof text !== 'string') throw new MandateError('validation', 'A document must be a JSON value.');
  return text;
}

/**
 * Compares two strings in Unicode code point order, which is the byte order of their UTF-8 encodings:
 * the order SQLite (BINARY) and PostgreSQL (COLLATE "C") use. Plain `<` compares UTF-16 code units,
 * which puts U+10000..U+10FFFF (surrogate pairs) before U+E000..U+FFFF. The fix-up maps code units so
 * their order matches code points (the ICU "code point order" trick).
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The smallest string greater than every string that starts with `prefix` (in code point order), so
 * `id >= prefix AND id < upper` is an exact primary-key range. Undefined when there is no upper bound.
 * (`prefix || '\uffff'` would miss ids whose next character is above U+FFFF.)
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const cps = [...prefix].map((c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    const last = cps.pop()!;
    if (last === 0x10ffff) continue;
    const next = last === 0xd7ff ? 0xe000 : last + 1;
    return String.fromCodePoint(...cps, next);
  }
  return undefined;
}

/** Where a list scan starts: the larger of the prefix (inclusive) and the cursor (exclusive). */
export function lowerBound(prefix: string | undefined, after: string | undefined): { value: string; inclusive: boolean } | undefined {
  if (after !== undefined && (prefix === undefined || compareIds(after, prefix) >= 0)) return { value: after, inclusive: false };
  if (prefix !== undefined && prefix !== '') return { value: prefix, inclusive: true };
  return undefined;
}

/** Operations through a transaction's `tx` object after it committed or rolled back are a bug: fail loudly. */
export function checkActive(ctx: { done: boolean } | undefined): void {
  if (ctx?.done) throw new Error('This transaction has already finished.');
}
