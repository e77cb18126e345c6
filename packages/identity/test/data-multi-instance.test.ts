import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { PostgresStore } from '@mandate/storage';
import { DATABASE_URL, dropSchema, freshSchema } from '@mandate/storage/test-pg';
import { collections } from '../src/model.ts';
import type { VaultTokenDoc } from '../src/vault/tokens.ts';
import { countingFetch, createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from './data-harness.ts';

/**
 * Two Mandate instances that share only a PostgreSQL schema and the master key (as two processes behind
 * one load balancer would): a flow started on one completes on the other, the waiting poll on the first
 * wakes through NOTIFY, and a burst of refreshes across both makes exactly one provider call.
 */
const RETURN_URL = 'https://app.example.test/oauth/return';
const schema = freshSchema();
let entra: Entra;
let a: Mandate;
let b: Mandate;
let stores: PostgresStore[] = [];
let agentA: BedrockAgentCoreClient;
let agentB: BedrockAgentCoreClient;

before(async () => {
  entra = await startEntra();
  const masterKey = randomBytes(32).toString('base64');
  stores = [await PostgresStore.open({ url: DATABASE_URL, schema }), await PostgresStore.open({ url: DATABASE_URL, schema })];
  a = await startMandate({ store: stores[0]!, masterKey, entraAuthorityBase: entra.emulator.url, fetch: countingFetch(entra) });
  b = await startMandate({ store: stores[1]!, masterKey, entraAuthorityBase: entra.emulator.url, fetch: countingFetch(entra) });
  // One public URL for both (the load balancer's); the test browser routes the callback to B.
  b.identity.services.config.publicUrl = a.url;
  await createEntraProvider(a, entra);
  await createWorkload(a, 'shared-agent', [RETURN_URL]);
  const key = await workloadKey(a, 'shared-agent', true);
  agentA = dataClient(a.url, key);
  agentB = dataClient(b.url, key);
});
after(async () => {
  await a?.close();
  await b?.close();
  for (const s of stores) await s.close();
  await dropSchema(schema);
  await entra?.close();
});

const SCOPES = () => [`api://${entra.appId}/read`];

async function browse(authorizationUrl: string, user: string): Promise<URL> {
  let url = authorizationUrl;
  for (let i = 0; i < 10; i++) {
    if (url.startsWith(RETURN_URL)) return new URL(url);
    const u = new URL(url.startsWith(`${a.url}/identities/oauth2/callback/`) ? url.replace(a.url, b.url) : url);
    if (u.pathname.endsWith('/oauth2/v2.0/authorize')) u.searchParams.set('login_hint', user);
    const res = await fetch(u, { redirect: 'manual' });
    await res.arrayBuffer();
    url = new URL(res.headers.get('location')!, u).href;
  }
  throw new Error('too many redirects');
}

function waitingPoll(client: BedrockAgentCoreClient, wat: string, sessionUri: string, seconds: number) {
  const cmd = new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL, sessionUri });
  cmd.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-mandate-wait'] = String(seconds);
    return next(args);
  }, { step: 'build' });
  return client.send(cmd);
}

test('flow started on A, callback and completion on B, token returned on A within tens of ms', async () => {
  const wat = (await agentA.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'shared-agent', userId: 'alice' }))).workloadAccessToken!;
  const first = await agentA.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL }));
  const back = await browse(first.authorizationUrl!, entra.alice);
  assert.equal(back.searchParams.get('session_id'), first.sessionUri);

  // A long-poll waits on A while the application completes the binding on B.
  let returnedAt = 0;
  const poll = waitingPoll(agentA, wat, first.sessionUri!, 20).then((r) => ((returnedAt = Date.now()), r));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(returnedAt, 0, 'the poll must still be waiting');
  await agentB.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: 'alice' } }));
  const completedAt = Date.now();
  const out = await poll;
  assert.ok(out.accessToken);
  // Measured ~10 ms; the bound leaves room for a loaded CI machine and is still far below the SDKs' 5 s tick.
  assert.ok(returnedAt - completedAt < 500, `poll returned ${returnedAt - completedAt} ms after completion`);
  // And B serves the same vault row.
  const fromB = await agentB.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL }));
  assert.equal(fromB.accessToken, out.accessToken);
});

test('50 concurrent refreshes of one expired token across both instances make exactly one provider call', async () => {
  const wat = (await agentA.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'shared-agent', userId: 'alice' }))).workloadAccessToken!;
  const req = () => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL });
  const old = (await agentA.send(req())).accessToken!;
  // Age the stored token past its expiry (the provider issued it for an hour).
  const store = a.identity.services.store;
  const rows = await store.list<VaultTokenDoc>(collections.vaultTokens);
  assert.equal(rows.items.length, 1);
  const row = rows.items[0]!;
  assert.ok(row.doc.refreshToken, 'Entra returned a refresh token (offline_access was requested)');
  assert.ok(await store.update(collections.vaultTokens, row.id, { ...row.doc, expiresAt: Date.now() - 1000 }, row.version));

  const before = entra.tokenCalls.get('refresh_token') ?? 0;
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? agentA : agentB).send(req())));
  assert.equal((entra.tokenCalls.get('refresh_token') ?? 0) - before, 1);
  const tokens = new Set(results.map((r) => r.accessToken));
  assert.equal(tokens.size, 1);
  assert.notEqual([...tokens][0], old);
  const after = (await store.list<VaultTokenDoc>(collections.vaultTokens)).items[0]!;
  assert.ok(after.doc.expiresAt! > Date.now() + 30 * 60_000);
  assert.ok(after.doc.refreshToken);
});
