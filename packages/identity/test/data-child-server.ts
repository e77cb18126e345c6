/**
 * A Mandate identity server in its own process, for data-multi-process.test.ts: it shares only the
 * PostgreSQL schema and the master key with the test process. Prints `{"url": …}` once listening.
 */
import { silentLogger } from '@mandate/core';
import { PostgresStore } from '@mandate/storage';
import { trustCa } from '@mandate/emulators';
import { createIdentityService } from '../src/server.ts';
import { LocalKeyProvider } from '../src/vault/index.ts';

const env = process.env;
trustCa(env.CHILD_CA_PEM!);
const store = await PostgresStore.open({ url: env.CHILD_DATABASE_URL!, schema: env.CHILD_SCHEMA! });
const identity = await createIdentityService({
  config: { publicUrl: env.CHILD_PUBLIC_URL!, region: 'us-west-2', accountId: '123456789012', devMode: true, entraAuthorityBase: env.CHILD_ENTRA_BASE! },
  store,
  keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: env.CHILD_MASTER_KEY! }),
  logger: silentLogger,
});
const listening = await identity.listen();
process.stdout.write(JSON.stringify({ url: listening.url }) + '\n');
const stop = async () => {
  await listening.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop); // the parent went away
process.stdin.resume();
