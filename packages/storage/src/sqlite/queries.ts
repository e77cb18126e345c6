import type { IdRange as Range } from '../rows.ts';

/** Every SQL statement of the SQLite adapter, in one place so tests can EXPLAIN exactly what runs. */
const COLUMNS = 'id, doc, version, expires_at, created_at, updated_at';
const LIVE = '(expires_at IS NULL OR expires_at > ?)';

export const sql = {
  get: 'SELECT doc, version, expires_at, created_at, updated_at FROM records WHERE collection = ? AND id = ?',
  // ?1 collection ?2 id ?3 doc ?4 expires_at ?5 now. Takes over an expired row; returns nothing over a live one.
  insert: `INSERT INTO records (collection, id, doc, version, expires_at, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5)
    ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, version = 1, expires_at = excluded.expires_at, created_at = excluded.created_at, updated_at = excluded.updated_at
    WHERE records.expires_at IS NOT NULL AND records.expires_at <= ?5
    RETURNING version`,
  put: `INSERT INTO records (collection, id, doc, version, expires_at, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5)
    ON CONFLICT (collection, id) DO UPDATE SET
      version = CASE WHEN records.expires_at IS NULL OR records.expires_at > ?5 THEN records.version + 1 ELSE 1 END,
      created_at = CASE WHEN records.expires_at IS NULL OR records.expires_at > ?5 THEN records.created_at ELSE ?5 END,
      doc = excluded.doc, expires_at = excluded.expires_at, updated_at = ?5
    RETURNING version, created_at`,
  // ?1 collection ?2 id ?3 doc ?4 expires_at ?5 now ?6 expected version.
  update: `UPDATE records SET doc = ?3, version = version + 1, expires_at = ?4, updated_at = ?5
    WHERE collection = ?1 AND id = ?2 AND version = ?6 AND (expires_at IS NULL OR expires_at > ?5)
    RETURNING version, created_at`,
  delete: `DELETE FROM records WHERE collection = ?1 AND id = ?2 AND (expires_at IS NULL OR expires_at > ?3)`,
  deleteVersion: `DELETE FROM records WHERE collection = ?1 AND id = ?2 AND (expires_at IS NULL OR expires_at > ?3) AND version = ?4`,
  sweep: 'DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= ?',
  // Locks use wall-clock time: a lease is about real processes, not the injected clock.
  lockAcquire: `INSERT INTO locks (key, owner, expires_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at WHERE locks.expires_at <= ?4
    RETURNING owner`,
  lockRenew: 'UPDATE locks SET expires_at = ?3 WHERE key = ?1 AND owner = ?2',
  lockRelease: 'DELETE FROM locks WHERE key = ? AND owner = ?',
  lockSweep: 'DELETE FROM locks WHERE expires_at <= ?',
} as const;


/**
 * A range over the primary key: `collection = ? AND id >= lower AND id < upper`, never a LIKE, so
 * SQLite searches the B-tree instead of scanning (see the EXPLAIN QUERY PLAN test). Parameters in
 * order: collection, [lower], [upper], now, [limit].
 */
export function rangeSql(kind: 'list' | 'count', range: Range): string {
  let where = 'collection = ?';
  if (range.lower) where += range.lower.inclusive ? ' AND id >= ?' : ' AND id > ?';
  if (range.upper !== undefined) where += ' AND id < ?';
  where += ` AND ${LIVE}`;
  return kind === 'list' ? `SELECT ${COLUMNS} FROM records WHERE ${where} ORDER BY id LIMIT ?` : `SELECT count(*) AS n FROM records WHERE ${where}`;
}

export function rangeArgs(collection: string, range: Range, now: number): Array<string | number> {
  const args: Array<string | number> = [collection];
  if (range.lower) args.push(range.lower.value);
  if (range.upper !== undefined) args.push(range.upper);
  args.push(now);
  return args;
}

export type { Range };
