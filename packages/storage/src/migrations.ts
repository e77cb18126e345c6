import { readdirSync, readFileSync } from 'node:fs';
import { MandateError } from '@mandate/core';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Reads forward-only migrations `NNNN_description.sql` from a folder, in version order. Versions must
 * run 1, 2, 3... without gaps or duplicates, so a missing or doubled file fails loudly at startup.
 */
export function loadMigrations(dir: URL): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = FILE.exec(file);
      if (!m) throw new Error(`Migration file ${file} is not named NNNN_description.sql.`);
      return { version: Number(m[1]), name: m[2]!, sql: readFileSync(new URL(file, dir), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 0001, 0002, ... without gaps; found ${String(m.version).padStart(4, '0')} at position ${i + 1}.`);
  });
  return migrations;
}

/** A database migrated by a newer Mandate must not be used (or "repaired") by an older one. */
export function checkNotNewer(applied: number[], known: Migration[]): void {
  const newest = Math.max(0, ...applied);
  if (newest > known.length) {
    throw new MandateError('unavailable', `The database schema is at version ${newest}, newer than this Mandate knows (${known.length}); upgrade Mandate.`);
  }
}
