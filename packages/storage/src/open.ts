import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '@mandate/core';
import { MandateError } from '@mandate/core';
import { MemoryStore } from './memory.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  /** `postgres://` / `postgresql://` → PostgreSQL; `memory:` → in-memory; absent → SQLite under dataDir. */
  databaseUrl?: string;
  /** Where the SQLite file lives (`${dataDir}/mandate.db`); created if missing. Default `./data`. */
  dataDir?: string;
  clock?: Clock;
  /** PostgreSQL schema (default `public`). */
  schema?: string;
}

/** Picks and opens the backend named by the configuration (MANDATE_DATABASE_URL / MANDATE_DATA_DIR). */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const url = options.databaseUrl?.trim();
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  if (url === 'memory:') return new MemoryStore(clock);
  if (url && /^postgres(ql)?:\/\//i.test(url)) {
    return PostgresStore.open({ url, ...clock, ...(options.schema === undefined ? {} : { schema: options.schema }) });
  }
  if (url) {
    // Never echo the URL: it may carry a password.
    throw new MandateError('validation', 'The database URL must start with postgres://, postgresql:// or be memory: (leave it unset for SQLite).');
  }
  const dataDir = options.dataDir ?? 'data';
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return SqliteStore.open({ path: join(dataDir, 'mandate.db'), ...clock });
}
