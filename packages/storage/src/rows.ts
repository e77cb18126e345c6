import { lowerBound, prefixUpperBound } from './keys.ts';
import type { PutOptions, StoredRecord } from './store.ts';

/** A `records` row as both SQL adapters read it (same columns, same types). */
export interface RecordRow {
  id?: string;
  doc: string;
  version: number;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A primary-key range: `id >= lower` (or `>`), `id < upper`. Never a LIKE, so the B-tree is searched. */
export interface IdRange {
  lower?: { value: string; inclusive: boolean };
  upper?: string;
}

export function recordFromRow<T>(id: string, r: RecordRow): StoredRecord<T> {
  return { id, doc: JSON.parse(r.doc) as T, version: r.version, expiresAt: r.expires_at ?? undefined, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** The record just written, built from the stored JSON so callers see exactly what a read would return. */
export function writtenRecord<T>(id: string, json: string, version: number, createdAt: number, now: number, options: PutOptions): StoredRecord<T> {
  return { id, doc: JSON.parse(json) as T, version, expiresAt: options.expiresAt, createdAt, updatedAt: now };
}

export function idRange(prefix: string | undefined, after: string | undefined): IdRange {
  const range: IdRange = {};
  const lower = lowerBound(prefix, after);
  if (lower) range.lower = lower;
  const upper = prefix ? prefixUpperBound(prefix) : undefined;
  if (upper !== undefined) range.upper = upper;
  return range;
}
