import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '@mandate/storage';
import { DATABASE_URL, admin as pgAdmin, dropSchema, freshSchema } from '@mandate/storage/test-pg';
import { createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from '@mandate/identity/test-harness';
import { startChildMandate, type ChildMandate } from './helpers/child-mandate.ts';
import { jwtClaims, pool, runFlow, tokenRequest, workloadToken } from './helpers/flow-driver.ts';
import type { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';

/**
 * Issue 8 item 3: N concurrent 3LO flows (default 1,000; MANDATE_ISOLATION_FLOWS overrides) by distinct
 * Entra users across two Mandate processes sharing one PostgreSQL schema. Each flow starts on one instance
 * and has its callback and completion handled by the other. Afterwards every (workload, user) gets exactly
 * its own user's token, and the same user under the other workload gets none (a new consent is needed).
 */
const FLOWS = Number(process.env.MANDATE_ISOLATION_FLOWS ?? 1000);
const CONCURRENCY = 24;
const RETURN_URL = 'https://app.example.test/oauth/return';
const WORKLOADS = ['iso-agent-a', 'iso-agent-b'];
const schema = freshSchema();
let entra: Entra;
let setup: Mandate;
let store: PostgresStore;
let domain = '';
const children: ChildMandate[] = [];
/** [instance][workload] → data-plane client with that workload's key. */
const clients: BedrockAgentCoreClient[][] = [];
const scopes = () => [`api://${entra.appId}/read`];
const workloadOf = (i: number) => WORKLOADS[i % 2]!;
const userOf = (i: number) => `iso-user-${i}`;
const loginOf = (i: number) => `u${i}@${domain}`;

before(async () => {
  entra = await startEntra();
  domain = entra.seed.tenants[0]!.domains![0]!;
  for (let i = 0; i < FLOWS; i++) entra.emulator.directory.addUser(entra.tenantId, { username: loginOf(i), password: randomBytes(12).toString('base64url') });
  const masterKey = randomBytes(32).toString('base64');
  store = await PostgresStore.open({ url: DATABASE_URL, schema });
  setup = await startMandate({ store, masterKey, entraAuthorityBase: entra.emulator.url });
  await createEntraProvider(setup, entra);
  const keys = [];
  for (const w of WORKLOADS) {
    await createWorkload(setup, w, [RETURN_URL]);
    keys.push(await workloadKey(setup, w, true));
  }
  const opts = { databaseUrl: DATABASE_URL, schema, publicUrl: setup.url, entraBase: entra.emulator.url, caPem: entra.emulator.caCertPem, masterKey };
  children.push(...(await Promise.all([startChildMandate(opts), startChildMandate(opts)])));
  for (const c of children) clients.push(keys.map((k) => dataClient(c.url, k)));
});

after(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await setup?.close();
  await store?.close();
  await dropSchema(schema);
  await entra?.close();
});

test(`${FLOWS} concurrent 3LO flows by distinct users across two instances: every token is its own user's, none crosses workloads`, { timeout: 240_000 }, async () => {
  const t0 = performance.now();
  const tokens = await pool(FLOWS, CONCURRENCY, async (i) => {
    const s = (i >> 1) % 2; // start instance; the other handles the callback and the completion
    return runFlow({
      workloadName: workloadOf(i),
      userId: userOf(i),
      loginHint: loginOf(i),
      providerName: 'entra',
      scopes: scopes(),
      returnUrl: RETURN_URL,
      start: { client: clients[s]![i % 2]!, url: children[s]!.url },
      finish: { client: clients[1 - s]![i % 2]!, url: children[1 - s]!.url },
      publicUrl: setup.url,
    });
  });
  const flowsMs = performance.now() - t0;
  for (let i = 0; i < FLOWS; i++) assert.equal(jwtClaims(tokens[i]!).preferred_username, loginOf(i), `flow ${i} received another user's token`);
  assert.equal(new Set(tokens).size, FLOWS, 'every flow received a distinct token');

  // The vault holds exactly one row per (workload, user), written under the right key.
  const rows = await pgAdmin<{ doc: string }>(`SELECT doc FROM ${schema}.records WHERE collection = 'vault_tokens'`);
  assert.equal(rows.length, FLOWS);
  const userKeys = new Set(rows.map((r) => {
    const d = JSON.parse(r.doc) as { workloadName: string; userKey: string };
    return `${d.workloadName}|${d.userKey}`;
  }));
  assert.equal(userKeys.size, FLOWS);

  // Read back: each (workload, user) from the other instance gets its own token; the same user under the
  // other workload gets an authorization URL, never a token.
  const t1 = performance.now();
  await pool(FLOWS, CONCURRENCY, async (i) => {
    const s = 1 - ((i >> 1) % 2);
    const f = { providerName: 'entra', scopes: scopes(), returnUrl: RETURN_URL };
    const own = await clients[s]![i % 2]!.send(tokenRequest(f, await workloadToken(clients[s]![i % 2]!, workloadOf(i), userOf(i))));
    assert.equal(own.accessToken, tokens[i], `user ${i} read back another token`);
    const otherWorkload = (i + 1) % 2;
    const cross = await clients[s]![otherWorkload]!.send(tokenRequest(f, await workloadToken(clients[s]![otherWorkload]!, WORKLOADS[otherWorkload]!, userOf(i))));
    assert.equal(cross.accessToken, undefined, `user ${i}'s token leaked to workload ${WORKLOADS[otherWorkload]}`);
    assert.ok(cross.authorizationUrl);
  });
  const readMs = performance.now() - t1;
  console.log(`isolation: ${FLOWS} flows in ${(flowsMs / 1000).toFixed(1)} s (${(FLOWS / (flowsMs / 1000)).toFixed(0)} flows/s, concurrency ${CONCURRENCY}); ${FLOWS * 2} read-backs in ${(readMs / 1000).toFixed(1)} s`);
});
