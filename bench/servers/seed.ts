/**
 * Bulk-loads vault rows for the benchmarks. Every row is exactly what the data plane writes: the token
 * pair sealed by the real SecretBox under the row's own context (sealVaultDoc), stored under vaultId().
 * Only the write path is bulk: rows go straight into the store's `records` table in large transactions
 * (SQLite: one prepared INSERT on a second connection; PostgreSQL: 2,000-row INSERT ... SELECT unnest),
 * because a million single-row round trips would take longer than the benchmark itself. The hot path then
 * reads them through the normal Store, so a format mismatch would show up as failed requests.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { Store } from '@mandate/storage';
import { collections } from '@mandate/identity/testing';
import type { IdentityServices } from '@mandate/identity';
import { sealVaultDoc, vaultId, type VaultKey } from '@mandate/identity/testing';
import type { StartSpec } from './mandate-server.ts';

export interface SeedSpec {
  /** User ids are `${userPrefix}${i}` for i in [from, from + users). */
  userPrefix: string;
  from?: number;
  users: number;
  /** One row per scope set per user. */
  scopeSets: string[][];
  accessTokenBytes: number;
  refreshTokenBytes: number;
  /** Epoch ms the tokens expire at. */
  expiresAt: number;
  /** A real provider refresh token to store in every row (refresh storm); otherwise a synthetic one. */
  refreshToken?: string;
  workloadName: string;
  providerName: string;
}

export interface SeedResult {
  rows: number;
  ms: number;
  sealMs: number;
}

const BATCH = 2_000;

function filler(bytes: number): string {
  return randomBytes(Math.ceil((bytes * 3) / 4) + 3).toString('base64url').slice(0, bytes);
}

/** A synthetic token of exactly `bytes` characters that is unique to (user, set). */
function token(template: string, tag: string): string {
  return template.slice(0, template.length - tag.length) + tag;
}

interface Writer {
  write(rows: Array<[string, string]>, now: number): Promise<void>;
  close(): Promise<void>;
}

function sqliteWriter(spec: StartSpec): Writer {
  const db = new DatabaseSync(join(spec.dataDir, 'mandate.db'), { timeout: 30_000 });
  const ins = db.prepare(`INSERT OR REPLACE INTO records (collection, id, doc, version, expires_at, created_at, updated_at) VALUES (?, ?, ?, 1, NULL, ?, ?)`);
  return {
    async write(rows, now) {
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const [id, doc] of rows) ins.run(collections.vaultTokens, id, doc, now, now);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
    async close() {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

async function postgresWriter(spec: StartSpec): Promise<Writer> {
  const client = new pg.Client({ connectionString: spec.pgUrl! });
  await client.connect();
  const t = `${pg.escapeIdentifier(spec.pgSchema!)}.records`;
  const text = `INSERT INTO ${t} (collection, id, doc, version, expires_at, created_at, updated_at)
    SELECT $1, x.id, x.doc, 1, NULL, $4, $4 FROM unnest($2::text[], $3::text[]) AS x(id, doc)
    ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, version = 1, expires_at = NULL, updated_at = excluded.updated_at`;
  return {
    async write(rows, now) {
      await client.query(text, [collections.vaultTokens, rows.map((r) => r[0]), rows.map((r) => r[1]), now]);
    },
    async close() {
      await client.query(`ANALYZE ${t}`);
      await client.end();
    },
  };
}

export async function seedVault(services: IdentityServices, spec: StartSpec, s: SeedSpec): Promise<SeedResult> {
  const t0 = performance.now();
  let sealMs = 0;
  const writer = spec.store === 'sqlite' ? sqliteWriter(spec) : await postgresWriter(spec);
  const accessTemplate = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${filler(s.accessTokenBytes)}`.slice(0, s.accessTokenBytes);
  const refreshTemplate = `0.A${filler(s.refreshTokenBytes)}`.slice(0, s.refreshTokenBytes);
  const from = s.from ?? 0;
  let rows: Array<[string, string]> = [];
  let total = 0;
  try {
    for (let i = from; i < from + s.users; i++) {
      const userId = `${s.userPrefix}${i}`;
      for (let j = 0; j < s.scopeSets.length; j++) {
        const key: VaultKey = { workloadName: s.workloadName, user: { kind: 'userId', userId }, providerName: s.providerName, scopes: s.scopeSets[j]! };
        const ts = performance.now();
        const doc = await sealVaultDoc(services, key, {
          accessToken: token(accessTemplate, `.${userId}.${j}`),
          refreshToken: s.refreshToken ?? token(refreshTemplate, `.${userId}.${j}`),
          expiresAt: s.expiresAt,
        });
        sealMs += performance.now() - ts;
        rows.push([vaultId(key), JSON.stringify(doc)]);
        if (rows.length >= BATCH) {
          await writer.write(rows, Date.now());
          total += rows.length;
          rows = [];
        }
      }
    }
    if (rows.length) {
      await writer.write(rows, Date.now());
      total += rows.length;
    }
  } finally {
    await writer.close();
  }
  return { rows: total, ms: performance.now() - t0, sealMs };
}

/** Bytes the store occupies on disk: the SQLite file (after a checkpoint), or the PostgreSQL table with its TOAST and indexes. */
export async function storageBytes(store: Store, spec: StartSpec): Promise<number> {
  if (spec.store === 'sqlite') {
    const db = new DatabaseSync(join(spec.dataDir, 'mandate.db'), { timeout: 30_000 });
    try {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      const pc = db.prepare('PRAGMA page_count').get() as { page_count: number };
      const fl = db.prepare('PRAGMA freelist_count').get() as { freelist_count: number };
      const ps = db.prepare('PRAGMA page_size').get() as { page_size: number };
      return (pc.page_count - fl.freelist_count) * ps.page_size;
    } finally {
      db.close();
    }
  }
  void store;
  const client = new pg.Client({ connectionString: spec.pgUrl! });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(`SELECT pg_total_relation_size($1::regclass) AS n`, [`${pg.escapeIdentifier(spec.pgSchema!)}.records`]);
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}
