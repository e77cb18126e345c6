import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { PostgresStore } from '@mandate/storage';
import { DATABASE_URL, dropSchema, freshSchema } from '@mandate/storage/test-pg';
import { createEntraProvider, createWorkload, dataClient, startEntra, workloadKey, type Entra, type Mandate } from '@mandate/identity/test-harness';
import { collections } from '@mandate/identity/testing';
import type { SealedSecret } from '@mandate/core';
import { readVault, type VaultKey, type VaultTokenDoc } from '@mandate/identity/testing';
import { EnvelopeSecretBox, LocalKeyProvider, rotateMasterKey } from '@mandate/identity';
import { countDataKeysByMasterKey } from '@mandate/identity/testing';
import type { AccessKeyCredentials } from '@mandate/edge';
import { startChildMandate, type ChildMandate } from './helpers/child-mandate.ts';
import { startMandateWith } from './helpers/in-process-mandate.ts';
import { jwtClaims, runFlow, tokenRequest, workloadToken } from './helpers/flow-driver.ts';
import { dumpCollection } from './helpers/store-dump.ts';

/**
 * Issue 8 item 4 (process faults): a Mandate process is SIGKILLed at a random point while it writes tokens
 * (callbacks and completions of concurrent 3LO flows), while it refreshes them against the Entra emulator,
 * and a master-key rotation process is SIGKILLed midway. After each, a new process on the same PostgreSQL
 * schema and key ring must find: every committed token decrypts, no row is duplicated, every stored refresh
 * token is still one the provider honours for that user (a rotated refresh token is never dropped before
 * its successor is stored), and all interrupted work completes on retry. The seed of the random kill points
 * is printed (MANDATE_FAULT_SEED replays it).
 */
const USERS = Number(process.env.MANDATE_FAULT_USERS ?? 40);
const CONCURRENCY = 16;
const RETURN_URL = 'https://app.example.test/oauth/return';
const WORKLOAD = 'fault-kill-agent';
const seed = Number(process.env.MANDATE_FAULT_SEED ?? randomBytes(4).readUInt32LE());
let rand = seed;
/** mulberry32: small, seeded, good enough to pick kill points. */
function random(): number {
  rand = (rand + 0x6d2b79f5) | 0;
  let t = Math.imul(rand ^ (rand >>> 15), 1 | rand);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

const schema = freshSchema();
let dir = '';
let keyFile = '';
let entra: Entra;
let store: PostgresStore;
let setup: Mandate;
let key: AccessKeyCredentials;
let domain = '';
let child: ChildMandate;
let agent: BedrockAgentCoreClient;
const scopes = () => [`api://${entra.appId}/read`];
const userOf = (i: number) => `kill-user-${i}`;
const loginOf = (i: number) => `k${i}@${domain}`;
const vaultKey = (i: number): VaultKey => ({ workloadName: WORKLOAD, user: { kind: 'userId', userId: userOf(i) }, providerName: 'entra', scopes: scopes() });

async function startChild(): Promise<void> {
  child = await startChildMandate({ databaseUrl: DATABASE_URL, schema, publicUrl: setup.url, entraBase: entra.emulator.url, caPem: entra.emulator.caCertPem, keyFile });
  agent = dataClient(child.url, key);
}

before(async () => {
  console.log(`faults-kill seed ${seed} (MANDATE_FAULT_SEED=${seed} replays the kill points)`);
  dir = await mkdtemp(join(tmpdir(), 'mandate-faults-'));
  keyFile = join(dir, 'master.key');
  entra = await startEntra();
  domain = entra.seed.tenants[0]!.domains![0]!;
  for (let i = 0; i < USERS; i++) entra.emulator.directory.addUser(entra.tenantId, { username: loginOf(i), password: randomBytes(12).toString('base64url') });
  store = await PostgresStore.open({ url: DATABASE_URL, schema });
  setup = await startMandateWith({ store, keyProvider: await LocalKeyProvider.fromFile(keyFile), entraAuthorityBase: entra.emulator.url });
  await createEntraProvider(setup, entra);
  await createWorkload(setup, WORKLOAD, [RETURN_URL]);
  key = await workloadKey(setup, WORKLOAD, true);
  await startChild();
});

after(async () => {
  await child?.stop();
  await setup?.close();
  await store?.close();
  await dropSchema(schema);
  await entra?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs task(i) for every i with bounded concurrency; calls `onSuccess(count)` after each success; never rejects. */
async function run(ids: number[], task: (i: number) => Promise<void>, onSuccess: (done: number) => void = () => {}): Promise<{ ok: number[]; failed: number[]; errors: string[] }> {
  const ok: number[] = [];
  const failed: number[] = [];
  const errors: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let n = next++; n < ids.length; n = next++) {
      try {
        await task(ids[n]!);
        ok.push(ids[n]!);
        onSuccess(ok.length);
      } catch (err) {
        failed.push(ids[n]!);
        errors.push(`${(err as Error).name}: ${(err as Error).message}`);
      }
    }
  }));
  return { ok, failed, errors };
}

const flow = (i: number) => runFlow({
  workloadName: WORKLOAD, userId: userOf(i), loginHint: loginOf(i), providerName: 'entra', scopes: scopes(), returnUrl: RETURN_URL,
  start: { client: agent, url: child.url }, finish: { client: agent, url: child.url }, publicUrl: setup.url,
}).then((t) => assert.equal(jwtClaims(t).preferred_username, loginOf(i)));

const getToken = async (i: number) => {
  const out = await agent.send(tokenRequest({ providerName: 'entra', scopes: scopes(), returnUrl: RETURN_URL }, await workloadToken(agent, WORKLOAD, userOf(i))));
  assert.equal(jwtClaims(out.accessToken!).preferred_username, loginOf(i));
};

/** Every vault row opens under its own key, belongs to one of our users, and no (workload, user, provider, scopes) repeats. */
async function assertVaultIntact(expectRefresh: boolean): Promise<Set<number>> {
  const rows = await dumpCollection(store, collections.vaultTokens);
  const tuples = new Set([...rows.values()].map((r) => {
    const d = (JSON.parse(r) as { doc: VaultTokenDoc }).doc;
    return [d.workloadName, d.userKey, d.providerName, d.scopesKey].join('|');
  }));
  assert.equal(tuples.size, rows.size, 'no duplicated vault rows');
  const present = new Set<number>();
  for (let i = 0; i < USERS; i++) {
    const e = await readVault(setup.identity.services, vaultKey(i));
    if (!e) continue;
    present.add(i);
    assert.equal(jwtClaims(e.accessToken).preferred_username, loginOf(i), `row of user ${i} holds another user's token`);
    if (expectRefresh) assert.ok(e.refreshToken, `row of user ${i} lost its refresh token`);
  }
  assert.equal(present.size, rows.size, 'every stored row decrypts under its own key');
  return present;
}

test('SIGKILL during concurrent token writes (callbacks and completions): committed tokens intact, interrupted flows complete after restart', { timeout: 120_000 }, async () => {
  const killAfter = between(Math.floor(USERS / 5), Math.floor((USERS * 3) / 5));
  let killed: Promise<void> | undefined;
  const ids = Array.from({ length: USERS }, (_, i) => i);
  const first = await run(ids, flow, (done) => {
    if (done === killAfter && !killed) killed = child.kill();
  });
  await killed;
  console.log(`token writes: killed after ${killAfter} completed flows; ${first.failed.length} flows interrupted`);
  assert.ok(first.failed.length > 0, 'the kill interrupted flows in flight');
  const present = await assertVaultIntact(true);
  for (const i of first.ok) assert.ok(present.has(i), `completed flow ${i} has its row`);
  // Sessions: a COMPLETED session always has its vault row (the two are written in one transaction).
  const sessions = await dumpCollection(store, collections.authSessions);
  for (const s of sessions.values()) {
    const d = (JSON.parse(s) as { doc: { status: string; user: { userId: string } } }).doc;
    if (d.status === 'COMPLETED') assert.ok(present.has(Number(d.user.userId.split('-').pop())), `COMPLETED session of ${d.user.userId} has no vault row`);
  }

  await startChild();
  const retry = await run(ids.filter((i) => !present.has(i)), flow);
  assert.deepEqual(retry.failed, []);
  assert.equal((await assertVaultIntact(true)).size, USERS);
});

test('SIGKILL during concurrent refreshes against Entra: no row lost or duplicated, every stored refresh token still redeems for its user', { timeout: 120_000 }, async () => {
  // Expire every access token (expiresAt is outside the sealed context), so each read refreshes.
  for (const [id, text] of await dumpCollection(store, collections.vaultTokens)) {
    const doc = (JSON.parse(text) as { doc: VaultTokenDoc }).doc;
    await store.put(collections.vaultTokens, id, { ...doc, expiresAt: Date.now() - 1 });
  }
  const killAfter = between(Math.floor(USERS / 5), Math.floor((USERS * 3) / 5));
  let killed: Promise<void> | undefined;
  const ids = Array.from({ length: USERS }, (_, i) => i);
  const first = await run(ids, getToken, (done) => {
    if (done === killAfter && !killed) killed = child.kill();
  });
  await killed;
  console.log(`refreshes: killed after ${killAfter} refreshed reads; ${first.failed.length} interrupted`, [...new Set(first.errors)]);
  assert.ok(first.failed.length > 0, 'the kill interrupted refreshes in flight');
  assert.equal((await assertVaultIntact(true)).size, USERS, 'no row was lost');

  // Each stored refresh token is one Entra still honours, for the same user.
  const tokenUrl = `${entra.emulator.url}/${entra.tenantId}/oauth2/v2.0/token`;
  for (let i = 0; i < USERS; i++) {
    const rt = (await readVault(setup.identity.services, vaultKey(i)))!.refreshToken!;
    const res = await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: entra.appId, client_secret: entra.clientSecret, refresh_token: rt, scope: `${scopes()[0]} offline_access` }) });
    const body = (await res.json()) as { access_token?: string };
    assert.equal(res.status, 200, `stored refresh token of user ${i} is not redeemable`);
    assert.equal(jwtClaims(body.access_token!).preferred_username, loginOf(i));
  }

  await startChild();
  const retry = await run(ids, getToken);
  assert.deepEqual(retry.errors, []);
  await assertVaultIntact(true);
});

test('SIGKILL during master-key rotation while tokens are served: zero read failures, the rotation resumes, everything decrypts from a cold start', { timeout: 120_000 }, async () => {
  // Many data keys (one per probe secret) so the kill lands between re-wraps.
  const probeBox = new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(keyFile), maxSealsPerDataKey: 1 });
  const probeCtx = (n: number) => ({ kind: 'security-probe', n: String(n) });
  for (let n = 0; n < 40; n++) await store.put('security_probes', `p${n}`, { sealed: await probeBox.seal(`probe-${n}`, probeCtx(n)) });
  const firstKey = await (await LocalKeyProvider.fromFile(keyFile)).currentKeyId();
  const dataKeys = Object.values(await countDataKeysByMasterKey(store)).reduce((a, b) => a + b, 0);

  // A reader hammers the child Mandate meanwhile: no request may fail.
  let stop = false;
  let reads = 0;
  const readFailures: string[] = [];
  const reader = (async () => {
    while (!stop) {
      const i = Math.floor(Math.random() * USERS);
      try {
        await getToken(i);
        reads++;
      } catch (err) {
        readFailures.push(String(err));
      }
    }
  })();

  const killAt = between(0, Math.floor(dataKeys / 2)); // 0 = as soon as it starts (around adding the new version)
  const rotation = spawn(process.execPath, [fileURLToPath(new URL('./helpers/rotate-master-key-child.ts', import.meta.url))], {
    env: { ...process.env, SEC_DATABASE_URL: DATABASE_URL, SEC_SCHEMA: schema, SEC_KEY_FILE: keyFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => rotation.once('exit', (code) => r(code)));
  let rewrapped = 0;
  let finished = false;
  for await (const line of createInterface({ input: rotation.stdout! })) {
    if (line.startsWith('done')) finished = true;
    if (line.startsWith('rewrapped')) rewrapped++;
    if ((line === 'started' && killAt === 0) || (line.startsWith('rewrapped') && rewrapped === killAt)) {
      rotation.kill('SIGKILL');
      break;
    }
  }
  await exited;
  console.log(`rotation: ${dataKeys} data keys, killed after ${rewrapped} re-wraps`);
  assert.equal(finished, false, 'the rotation was interrupted');
  await new Promise((r) => setTimeout(r, 200)); // reads continue against a half-rotated ring

  const resumed = await rotateMasterKey(store, await LocalKeyProvider.fromFile(keyFile));
  stop = true;
  await reader;
  assert.deepEqual(readFailures, []);
  assert.ok(reads > 10, `the reader did real work (${reads} reads)`);
  assert.deepEqual(resumed.failed, []);
  assert.ok(resumed.retired.includes(firstKey), 'the original master key is retired');
  assert.deepEqual(Object.keys(await countDataKeysByMasterKey(store)), [resumed.masterKeyId]);
  assert.deepEqual(await (await LocalKeyProvider.fromFile(keyFile)).activeKeyIds(), [resumed.masterKeyId]);

  // Cold start with only the newest master key: every probe and every vault row opens.
  const cold = new EnvelopeSecretBox({ store, keyProvider: await LocalKeyProvider.fromFile(keyFile) });
  for (let n = 0; n < 40; n++) {
    const rec = await store.get<{ sealed: SealedSecret }>('security_probes', `p${n}`);
    assert.equal(await cold.open(rec!.doc.sealed, probeCtx(n)), `probe-${n}`);
  }
  const coldServices = { ...setup.identity.services, secrets: cold };
  for (let i = 0; i < USERS; i++) assert.ok(await readVault(coldServices, vaultKey(i)), `user ${i}'s row opens after rotation`);
  await child.kill();
  await startChild();
  const after = await run(Array.from({ length: USERS }, (_, i) => i), getToken);
  assert.deepEqual(after.failed, []);
});
