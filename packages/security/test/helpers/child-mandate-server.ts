/**
 * One Mandate identity server in its own process, for the isolation and fault tests: it shares only the
 * PostgreSQL schema and the master key (env or ring file) with the test process, so a SIGKILL takes down
 * exactly one instance. Prints `{"url": …}` on stdout once listening. Not a test file.
 *
 * Env: SEC_DATABASE_URL, SEC_SCHEMA, SEC_PUBLIC_URL, SEC_ENTRA_BASE, SEC_CA_PEM (optional, trusted for the
 * Entra emulator) and SEC_MASTER_KEY (base64) or SEC_KEY_FILE (a master-key ring file).
 */
import { silentLogger } from '@mandate/core';
import { PostgresStore } from '@mandate/storage';
import { trustCa } from '@mandate/emulators';
import { createIdentityService } from '@mandate/identity';
import { LocalKeyProvider } from '@mandate/identity';

const env = process.env;
if (env.SEC_CA_PEM) trustCa(env.SEC_CA_PEM);
const store = await PostgresStore.open({ url: env.SEC_DATABASE_URL!, schema: env.SEC_SCHEMA!, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000 });
const keyProvider = env.SEC_KEY_FILE ? await LocalKeyProvider.fromFile(env.SEC_KEY_FILE) : LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: env.SEC_MASTER_KEY! });
const identity = await createIdentityService({
  config: { publicUrl: env.SEC_PUBLIC_URL!, region: 'us-west-2', accountId: '123456789012', devMode: true, entraAuthorityBase: env.SEC_ENTRA_BASE ?? 'https://login.microsoftonline.com' },
  store,
  keyProvider,
  logger: silentLogger,
});
const listening = await identity.listen();
process.stdout.write(JSON.stringify({ url: listening.url }) + '\n');
const stop = async () => {
  await listening.close();
  await identity.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop()); // the parent went away
process.stdin.resume();
