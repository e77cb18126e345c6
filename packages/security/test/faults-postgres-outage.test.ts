import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { GetResourceApiKeyCommand, type BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { CreateApiKeyCredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { PostgresStore } from '@mandate/storage';
import { DATABASE_URL, dropSchema, freshSchema } from '@mandate/storage/test-pg';
import { createWorkload, dataClient, startMandate, workloadKey, type Mandate } from '@mandate/identity/test-harness';
import { startChildMandate, type ChildMandate } from './helpers/child-mandate.ts';
import { startTcpProxy, type ProxyState, type TcpProxy } from './helpers/tcp-proxy.ts';
import { workloadToken } from './helpers/flow-driver.ts';

/**
 * Issue 8 item 4 (database faults): PostgreSQL goes away under load and comes back. The machine's
 * PostgreSQL is shared with other tests, so the outage is a TCP proxy between a child Mandate process and
 * PostgreSQL that drops every connection (restart) or stops answering (partition). While it is down every
 * request fails cleanly and promptly (503 InternalServerException "The database is unavailable." or an
 * answer from memory), the process survives, and once it is back requests succeed again without a restart.
 */
const url = new URL(DATABASE_URL);
const schema = freshSchema();
let proxy: TcpProxy;
let store: PostgresStore;
let setup: Mandate;
let child: ChildMandate;
let agent: BedrockAgentCoreClient;
const API_KEY = `sk-outage-${randomBytes(12).toString('hex')}`;

before(async () => {
  proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  const masterKey = randomBytes(32).toString('base64');
  store = await PostgresStore.open({ url: DATABASE_URL, schema });
  setup = await startMandate({ store, masterKey, entraAuthorityBase: 'https://login.microsoftonline.com' });
  await setup.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'outage-key', apiKey: API_KEY }));
  await createWorkload(setup, 'outage-agent', ['https://app.example.test/r']);
  const key = await workloadKey(setup, 'outage-agent', true);
  const viaProxy = new URL(DATABASE_URL);
  viaProxy.port = String(proxy.port);
  child = await startChildMandate({ databaseUrl: viaProxy.href, schema, publicUrl: setup.url, masterKey });
  agent = dataClient(child.url, key);
});
after(async () => {
  await child?.stop();
  await setup?.close();
  await store?.close();
  await dropSchema(schema);
  await proxy?.close();
});

interface Outcome {
  ok: boolean;
  error?: string;
  ms: number;
}

/** One agent request: a fresh workload token (store read for the workload) and the API key (store read + decrypt). */
async function call(): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const wat = await workloadToken(agent, 'outage-agent', `user-${randomBytes(3).toString('hex')}`);
    const out = await agent.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'outage-key' }));
    assert.equal(out.apiKey, API_KEY);
    return { ok: true, ms: performance.now() - t0 };
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { ok: false, error: `${e.$metadata?.httpStatusCode} ${e.name}: ${e.message}`, ms: performance.now() - t0 };
  }
}

/** Runs `workers` request loops for `ms` and returns every outcome. */
async function load(ms: number, workers = 6): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < end) out.push(await call());
  }));
  return out;
}

const CLEAN = new Set(['503 InternalServerException: The database is unavailable.', '503 InternalServerException: The database is unavailable (ECONNRESET).', '503 InternalServerException: The database is unavailable (ECONNREFUSED).', '503 InternalServerException: The database is unavailable (57P01).']);

for (const outage of ['reset', 'blackhole', 'freeze'] as ProxyState[]) {
  const what = { up: '', reset: 'restarted (every connection dropped, new ones refused)', blackhole: 'unreachable (connections dropped, new ones never answered)', freeze: 'partitioned (open connections silently stop carrying bytes)' }[outage];
  test(`PostgreSQL ${what} under load: clean 503s within the connect timeout, no crash, recovery without a restart`, { timeout: 60_000 }, async () => {
    const healthy = await load(500);
    assert.ok(healthy.length > 5 && healthy.every((o) => o.ok), 'healthy before the outage');

    const during = load(outage === 'reset' ? 2_500 : 6_000);
    await new Promise((r) => setTimeout(r, 100));
    proxy.set(outage);
    const down = await during;
    const failures = down.filter((o) => !o.ok);
    assert.ok(failures.length > 0, 'the outage was felt');
    const unexpected = [...new Set(failures.map((o) => o.error!))].filter((e) => !CLEAN.has(e));
    assert.deepEqual(unexpected, [], 'every failure is the documented 503');
    // connectTimeoutMs is 2 s in the child; a request does a handful of store calls.
    for (const o of down) assert.ok(o.ms < 12_000, `a request took ${Math.round(o.ms)} ms during the outage`);
    assert.equal(child.process.exitCode, null, 'the Mandate process survived');

    proxy.set('up');
    const t0 = performance.now();
    let recovered = false;
    while (performance.now() - t0 < 15_000) {
      if ((await call()).ok) {
        recovered = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(recovered, 'requests succeed again once PostgreSQL is back');
    const after = await load(700);
    assert.ok(after.every((o) => o.ok), `all requests succeed after recovery: ${[...new Set(after.filter((o) => !o.ok).map((o) => o.error))].join('; ')}`);
    console.log(`${outage}: ${down.length} requests during the outage, ${failures.length} failed cleanly (slowest ${Math.round(Math.max(...down.map((o) => o.ms)))} ms); recovered in ${Math.round(performance.now() - t0)} ms`);
  });
}
