import type { DatabaseSync } from 'node:sqlite';
import { checkNotNewer, loadMigrations } from '../migrations.ts';

const migrations = loadMigrations(new URL('./migrations/', import.meta.url));

/**
 * Applies pending migrations in one BEGIN IMMEDIATE transaction. The write lock it takes (waiting up to
 * the busy timeout) makes two processes opening the same file at once safe: the second sees the first's
 * work in schema_migrations and applies nothing. SQLite DDL is transactional, so a failure applies nothing.
 */
export function migrateSqlite(db: DatabaseSync, now: number): number[] {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version);
    checkNotNewer(applied, migrations);
    const done = new Set(applied);
    const ran: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, now);
      ran.push(m.version);
    }
    db.exec('COMMIT');
    return ran;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
