import type { IdRange as Range } from '../rows.ts';

import pg from 'pg';


/** Every SQL statement of the PostgreSQL adapter, qualified with the store's schema. */
export function queries(schema: string) {
  const t = `${pg.escapeIdentifier(schema)}.records`;
  return {
    get: `SELECT doc, version, expires_at, created_at, updated_at FROM ${t} WHERE collection = $1 AND id = $2`,
    // $1 collection $2 id $3 doc $4 expires_at $5 now. Takes over an expired row; returns nothing over a live one.
    insert: `INSERT INTO ${t} AS r (collection, id, doc, version, expires_at, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $5)
      ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, version = 1, expires_at = excluded.expires_at, created_at = excluded.created_at, updated_at = excluded.updated_at
      WHERE r.expires_at IS NOT NULL AND r.expires_at <= $5
      RETURNING version`,
    put: `INSERT INTO ${t} AS r (collection, id, doc, version, expires_at, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $5)
      ON CONFLICT (collection, id) DO UPDATE SET
        version = CASE WHEN r.expires_at IS NULL OR r.expires_at > $5 THEN r.version + 1 ELSE 1 END,
        created_at = CASE WHEN r.expires_at IS NULL OR r.expires_at > $5 THEN r.created_at ELSE $5 END,
        doc = excluded.doc, expires_at = excluded.expires_at, updated_at = $5
      RETURNING version, created_at`,
    // $6 expected version.
    update: `UPDATE ${t} SET doc = $3, version = version + 1, expires_at = $4, updated_at = $5
      WHERE collection = $1 AND id = $2 AND version = $6 AND (expires_at IS NULL OR expires_at > $5)
      RETURNING version, created_at`,
    delete: `DELETE FROM ${t} WHERE collection = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3)`,
    deleteVersion: `DELETE FROM ${t} WHERE collection = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3) AND version = $4`,
    sweep: `DELETE FROM ${t} WHERE expires_at IS NOT NULL AND expires_at <= $1`,
    notify: 'SELECT pg_notify($1, $2)',
    /** A primary-key range (never LIKE): parameters collection, [lower], [upper], now, [limit]. */
    range(kind: 'list' | 'count', range: Range): string {
      let n = 1;
      let where = `collection = $${n++}`;
      if (range.lower) where += range.lower.inclusive ? ` AND id >= $${n++}` : ` AND id > $${n++}`;
      if (range.upper !== undefined) where += ` AND id < $${n++}`;
      where += ` AND (expires_at IS NULL OR expires_at > $${n++})`;
      return kind === 'list'
        ? `SELECT id, doc, version, expires_at, created_at, updated_at FROM ${t} WHERE ${where} ORDER BY id LIMIT $${n}`
        : `SELECT count(*) AS n FROM ${t} WHERE ${where}`;
    },
  };
}

export function rangeName(kind: 'list' | 'count', range: Range): string {
  return `mandate_${kind}_${range.lower ? (range.lower.inclusive ? 'ge' : 'gt') : 'x'}_${range.upper !== undefined ? 'lt' : 'x'}`;
}

export function rangeArgs(collection: string, range: Range, now: number): Array<string | number> {
  const args: Array<string | number> = [collection];
  if (range.lower) args.push(range.lower.value);
  if (range.upper !== undefined) args.push(range.upper);
  args.push(now);
  return args;
}

export type { Range };
