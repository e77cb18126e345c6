import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceApiKeyCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { memoryLogger } from '@mandate/core';
import { PostgresStore, openStore, type Store } from '@mandate/storage';
import { DATABASE_URL, admin as pgAdmin, dropSchema, freshSchema } from '@mandate/storage/test-pg';
import { createWorkload, dataClient, workloadKey } from '@mandate/identity/test-harness';
import { collections } from '@mandate/identity/testing';
import type { VaultTokenDoc } from '@mandate/identity/testing';
import { LocalKeyProvider } from '@mandate/identity';
import { startFakeProvider } from './helpers/fake-oauth-provider.ts';
import { startMandateWith } from './helpers/in-process-mandate.ts';
import { browse, tokenRequest } from './helpers/flow-driver.ts';
import { recordResponses, type RecordedResponse } from './helpers/response-recorder.ts';

/**
 * Issue 8 item 6: unique canary values are planted as a provider client secret, an API key, Mandate access
 * key secrets, authorization codes, access and refresh tokens (initial and rotated), a PKCE verifier and a
 * customState. Representative flows run, success and failure paths alike (3LO with callback, completion,
 * poll, refresh, invalid_grant; M2M; API key; a provider quoting secrets back; forged callbacks and
 * tokens; a bad SigV4 signature). Then every log line, every response body Mandate sent, the raw SQLite
 * files (db + wal) and the PostgreSQL rows are scanned for each canary in clear text, base64 and
 * base64url. A canary may appear only in the one response that hands it to its rightful caller.
 */
const RETURN_URL = 'https://app.example.test/oauth/return';
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Canary {
  kind: string;
  value: string;
  /** Response paths whose 200 body may carry it (its rightful delivery). */
  allowedIn: string[];
}

function canary(kind: string): string {
  return `CANARY${kind.replace(/[^A-Za-z]/g, '')}${randomBytes(12).toString('hex')}`;
}

async function scenario(store: Store, dataDir: string): Promise<{ canaries: Canary[]; logLines: string[]; responses: RecordedResponse[] }> {
  const canaries: Canary[] = [];
  const plant = (kind: string, allowedIn: string[] = [], value = canary(kind)) => (canaries.push({ kind, value, allowedIn }), value);
  const fake = await startFakeProvider({ clientSecret: plant('client-secret') });
  cleanups.push(() => fake.close());
  fake.nextCode = () => plant('authorization-code');
  fake.nextAccessToken = () => plant('access-token', ['/identities/oauth2/token']);
  fake.nextRefreshToken = () => plant('refresh-token');

  const recorder = recordResponses();
  const logger = memoryLogger();
  const m = await startMandateWith({ store, keyProvider: await LocalKeyProvider.fromFile(join(dataDir, 'master.key')), entraAuthorityBase: 'https://login.microsoftonline.com', logger });
  m.identity.services.config.providerTimeoutMs = 2_000;
  try {
    plant('admin-secret-key', [], m.admin.secretAccessKey);
    await m.control.send(new CreateOauth2CredentialProviderCommand({
      name: 'canary-oauth', credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: fake.clientId, clientSecret: fake.clientSecret, oauthDiscovery: { authorizationServerMetadata: fake.metadata() } } },
    }));
    await m.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'canary-api', apiKey: plant('api-key', ['/identities/api-key']) }));
    await createWorkload(m, 'canary-agent', [RETURN_URL]);
    const key = await workloadKey(m, 'canary-agent', true);
    plant('workload-secret-key', [], key.secretAccessKey);
    const agent = dataClient(m.url, key);
    const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'canary-agent', userId: 'canary-user' }))).workloadAccessToken!;
    const f = { providerName: 'canary-oauth', scopes: ['read'], returnUrl: RETURN_URL };

    // 3LO: start (with customState), browser, completion, poll.
    const customState = plant('custom-state');
    const start = await agent.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'canary-oauth', scopes: ['read'], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL, customState }));
    await browse(start.authorizationUrl!, 'x', m.url, m.url, m.url, RETURN_URL);
    plant('pkce-verifier', [], fake.tokenRequests.at(-1)!.get('code_verifier')!);
    await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: start.sessionUri!, userIdentifier: { userId: 'canary-user' } }));
    assert.match((await agent.send(tokenRequest(f, wat, start.sessionUri))).accessToken!, /^CANARYaccesstoken/);

    // Refresh (rotating refresh token), then a provider that quotes the request back, then invalid_grant.
    const expire = async () => {
      for (const r of (await store.list<VaultTokenDoc>(collections.vaultTokens)).items) await store.put(collections.vaultTokens, r.id, { ...r.doc, expiresAt: Date.now() - 1 });
    };
    await expire();
    assert.match((await agent.send(tokenRequest(f, wat))).accessToken!, /^CANARYaccesstoken/);
    await expire();
    fake.mode = 'echo-secret';
    await assert.rejects(agent.send(tokenRequest(f, wat)), { name: 'ValidationException' });
    fake.mode = 'invalid-grant';
    assert.ok((await agent.send(tokenRequest(f, wat))).authorizationUrl);

    // A code exchange where the provider quotes code, verifier and client secret back.
    fake.mode = 'echo-secret';
    const second = await agent.send(tokenRequest(f, wat));
    await assert.rejects(browse(second.authorizationUrl!, 'x', m.url, m.url, m.url, RETURN_URL), /with 400/);
    plant('pkce-verifier-2', [], fake.tokenRequests.at(-1)!.get('code_verifier')!);
    await assert.rejects(agent.send(tokenRequest(f, wat, second.sessionUri)), { name: 'ValidationException' });

    // M2M: success, then the provider quoting the client secret.
    fake.mode = 'ok';
    assert.match((await agent.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'canary-oauth', scopes: ['m2m'], oauth2Flow: 'M2M' }))).accessToken!, /^CANARYaccesstoken/);
    fake.mode = 'echo-secret';
    await assert.rejects(agent.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'canary-oauth', scopes: ['m2m-2'], oauth2Flow: 'M2M' })), { name: 'ValidationException' });
    fake.mode = 'ok';

    // API key.
    assert.match((await agent.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'canary-api' }))).apiKey!, /^CANARYapikey/);

    // Attacker inputs carrying canaries: forged tokens, a forged callback, a bad signature.
    const forgedWat = plant('forged-workload-token');
    await assert.rejects(agent.send(new GetResourceApiKeyCommand({ workloadIdentityToken: forgedWat, resourceCredentialProviderName: 'canary-api' })));
    const cbPath = new URL(start.authorizationUrl!).origin;
    const providerDoc = await store.get<{ callbackId: string }>(collections.oauth2Providers, 'canary-oauth');
    const forgedCode = plant('forged-code');
    const forgedState = plant('forged-state');
    const cb = await fetch(`${cbPath}/identities/oauth2/callback/${providerDoc!.doc.callbackId}?code=${forgedCode}&state=${forgedState}`, { redirect: 'manual' });
    assert.equal(cb.status, 403);
    await cb.arrayBuffer();
    const forgedRequestUri = plant('forged-request-uri');
    await (await fetch(`${m.url}/identities/oauth2/authorize?request_uri=urn:ietf:params:oauth:request_uri:${forgedRequestUri}`, { redirect: 'manual' })).arrayBuffer();
    const wrongSecret = plant('wrong-secret-key');
    await assert.rejects(dataClient(m.url, { accessKeyId: key.accessKeyId, secretAccessKey: wrongSecret }).send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'canary-agent', userId: 'canary-user' })), { name: 'InvalidSignatureException' });
    await assert.rejects(agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: start.sessionUri!, userIdentifier: { userToken: plant('forged-user-token') } })));
  } finally {
    await m.close();
    recorder.stop();
  }
  const port = new URL(m.url).port;
  return { canaries, logLines: logger.lines, responses: recorder.responses.filter((r) => String(r.port) === port) };
}

function encodings(v: string): string[] {
  const b = Buffer.from(v, 'utf8');
  return [v, b.toString('base64'), b.toString('base64url'), b.toString('hex'), encodeURIComponent(v)];
}

function findLeaks(canaries: Canary[], where: string, text: string, allowedPath?: { path: string; status: number }): string[] {
  const leaks: string[] = [];
  for (const c of canaries) {
    if (allowedPath && allowedPath.status === 200 && c.allowedIn.includes(allowedPath.path)) continue;
    for (const e of new Set(encodings(c.value))) if (text.includes(e)) leaks.push(`${c.kind} in ${where}`);
  }
  return leaks;
}

function scanLogsAndBodies(r: Awaited<ReturnType<typeof scenario>>): string[] {
  const leaks: string[] = [];
  assert.ok(r.logLines.length >= 3, `the scenario logged something to scan: ${r.logLines.length} lines`);
  assert.ok(r.responses.length > 15, 'the scenario produced responses to scan');
  // Positive controls: the recorder saw the rightful deliveries, so a leak elsewhere would be seen too.
  const delivered = r.responses.filter((x) => x.status === 200 && (x.path === '/identities/oauth2/token' || x.path === '/identities/api-key')).map((x) => x.body).join('\n');
  for (const kind of ['access-token', 'api-key']) assert.ok(r.canaries.some((c) => c.kind === kind && delivered.includes(c.value)), `${kind} delivery recorded`);
  assert.ok(r.logLines.some((l) => l.includes('authorization session completed')), 'flow logs captured');
  for (const line of r.logLines) leaks.push(...findLeaks(r.canaries, `log line ${line.slice(0, 120)}`, line));
  for (const res of r.responses) {
    leaks.push(...findLeaks(r.canaries, `${res.method} ${res.path} ${res.status} body`, res.body, res));
    leaks.push(...findLeaks(r.canaries.filter((c) => c.kind !== 'custom-state'), `${res.method} ${res.path} ${res.status} headers`, res.headers));
  }
  return leaks;
}

test('SQLite: no canary in clear text (or base64/hex/URL-encoded) in logs, response bodies or the raw database files (db + wal)', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mandate-canary-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const store = await openStore({ dataDir: dir });
  const r = await scenario(store, dir);
  const files = async () => {
    let bytes = '';
    for (const f of await readdir(dir)) if (f.startsWith('mandate.db')) bytes += (await readFile(join(dir, f))).toString('latin1');
    return bytes;
  };
  const leaks = scanLogsAndBodies(r);
  const live = await files(); // with the WAL still holding recent pages
  assert.ok(live.length > 10_000);
  leaks.push(...findLeaks(r.canaries, 'SQLite files (open)', live));
  await store.close();
  leaks.push(...findLeaks(r.canaries, 'SQLite files (closed)', await files()));
  assert.deepEqual(leaks, []);
  assert.ok(r.canaries.length >= 15, `${r.canaries.length} canaries planted`);
});

test('PostgreSQL: no canary in logs, response bodies or any stored row', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mandate-canary-pg-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const schema = freshSchema();
  const store = await PostgresStore.open({ url: DATABASE_URL, schema });
  cleanups.push(async () => {
    await store.close();
    await dropSchema(schema);
  });
  const r = await scenario(store, dir);
  const leaks = scanLogsAndBodies(r);
  const rows = await pgAdmin<{ collection: string; id: string; doc: string }>(`SELECT collection, id, doc FROM ${schema}.records`);
  assert.ok(rows.length > 10);
  for (const row of rows) leaks.push(...findLeaks(r.canaries, `row ${row.collection}/${row.id}`, `${row.id}\n${row.doc}`));
  assert.deepEqual(leaks, []);
});
