import { systemClock } from '@mandate/core';
import { openStore, type Store } from '@mandate/storage';
import { EnvelopeSecretBox, LocalKeyProvider } from '@mandate/identity';
import type { SecretBox } from '@mandate/core';
import { loadServerConfig } from '../server/config.ts';
import type { CommandIo } from '../command.ts';

export interface AdminContext {
  store: Store;
  secrets: SecretBox;
  keyProvider: LocalKeyProvider;
  clock: typeof systemClock;
  where: string;
  close(): Promise<void>;
}

/**
 * Host-side administration (keys, master-key rotation) works on the store directly, with the same
 * configuration as the server (MANDATE_DATA_DIR / MANDATE_DATABASE_URL / MANDATE_MASTER_KEY), so it
 * needs no credentials of its own: whoever can read the data directory is already the administrator.
 */
export async function openAdminContext(io: CommandIo, dataDir?: string): Promise<AdminContext> {
  const config = loadServerConfig(io.env, io.cwd, dataDir ? { dataDir } : {});
  const store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  const keyProvider = await LocalKeyProvider.open({ dataDir: config.dataDir, env: io.env });
  const secrets = new EnvelopeSecretBox({ store, keyProvider });
  return {
    store, secrets, keyProvider, clock: systemClock,
    where: config.databaseUrl ? 'the PostgreSQL database in MANDATE_DATABASE_URL' : `${config.dataDir}/mandate.db`,
    close: () => store.close(),
  };
}

/** Opens the admin context, runs `fn`, and always closes the store. */
export async function withAdminContext<T>(io: CommandIo, dataDir: string | undefined, fn: (ctx: AdminContext) => Promise<T>): Promise<T> {
  const ctx = await openAdminContext(io, dataDir);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
