/**
 * Runs `rotateMasterKey` in its own process so a test can SIGKILL it midway (faults-kill.test.ts). Prints
 * `rewrapped <dataKeyId>` after each data key moves (pausing SEC_PAUSE_MS, default 5 ms, to widen the
 * window) and `done <json report>` at the end. Env: SEC_DATABASE_URL, SEC_SCHEMA, SEC_KEY_FILE. Not a test.
 */
import { PostgresStore } from '@mandate/storage';
import { LocalKeyProvider, rotateMasterKey } from '@mandate/identity';

const env = process.env;
const pause = Number(env.SEC_PAUSE_MS ?? 5);
const store = await PostgresStore.open({ url: env.SEC_DATABASE_URL!, schema: env.SEC_SCHEMA! });
process.stdout.write('started\n');
const report = await rotateMasterKey(store, await LocalKeyProvider.fromFile(env.SEC_KEY_FILE!), {
  onRewrapped: async (id) => {
    process.stdout.write(`rewrapped ${id}\n`);
    await new Promise((r) => setTimeout(r, pause));
  },
});
process.stdout.write(`done ${JSON.stringify(report)}\n`);
await store.close();
