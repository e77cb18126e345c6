import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/sqlite/sqlite-store.ts';
import { runStoreContract } from './contract.ts';

runStoreContract('sqlite', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-sqlite-'));
  const path = join(dir, 'mandate.db');
  const store = await SqliteStore.open({ path, clock });
  return {
    store,
    reopen: () => SqliteStore.open({ path, clock }),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
