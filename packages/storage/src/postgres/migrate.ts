import pg from 'pg';
import { checkNotNewer, loadMigrations } from '../migrations.ts';

const migrations = loadMigrations(new URL('./migrations/', import.meta.url));

/**
 * Applies pending migrations in one transaction, serialised across processes by a transaction-scoped
 * advisory lock taken before anything else (CREATE SCHEMA IF NOT EXISTS alone still races on the
 * catalog's unique index). PostgreSQL DDL is transactional: a failure applies nothing.
 */
export async function migratePostgres(client: pg.PoolClient, schema: string, now: number): Promise<number[]> {
  const s = pg.escapeIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`mandate:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`SET LOCAL search_path TO ${s}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const applied = (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version);
    checkNotNewer(applied, migrations);
    const done = new Set(applied);
    const ran: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
      ran.push(m.version);
    }
    await client.query('COMMIT');
    return ran;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
