import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { PostgresStore } from '@mandate/storage';
import { DATABASE_URL, dropSchema, freshSchema } from '@mandate/storage/test-pg';
import { createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from './data-harness.ts';

/** Two Mandate processes on one PostgreSQL schema: started here, consented and completed there, answered here. */
const RETURN_URL = 'https://app.example.test/oauth/return';
const schema = freshSchema();
let entra: Entra;
let a: Mandate;
let store: PostgresStore;
let child: ChildProcess;
let childUrl = '';
let agentA: BedrockAgentCoreClient;
let agentB: BedrockAgentCoreClient;

before(async () => {
  entra = await startEntra();
  const masterKey = randomBytes(32).toString('base64');
  store = await PostgresStore.open({ url: DATABASE_URL, schema });
  a = await startMandate({ store, masterKey, entraAuthorityBase: entra.emulator.url });
  child = spawn(process.execPath, [fileURLToPath(new URL('./data-child-server.ts', import.meta.url))], {
    env: { ...process.env, CHILD_CA_PEM: entra.emulator.caCertPem, CHILD_DATABASE_URL: DATABASE_URL, CHILD_SCHEMA: schema, CHILD_PUBLIC_URL: a.url, CHILD_ENTRA_BASE: entra.emulator.url, CHILD_MASTER_KEY: masterKey },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
  });
  childUrl = (JSON.parse(line) as { url: string }).url;
  await createEntraProvider(a, entra);
  await createWorkload(a, 'proc-agent', [RETURN_URL]);
  const key = await workloadKey(a, 'proc-agent', true);
  agentA = dataClient(a.url, key);
  agentB = dataClient(childUrl, key);
});
after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await a?.close();
  await store?.close();
  await dropSchema(schema);
  await entra?.close();
});

test('flow started in this process, callback and completion in the other, token here within tens of ms', async () => {
  const wat = (await agentB.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'proc-agent', userId: 'alice' }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: [`api://${entra.appId}/read`], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL, ...(sessionUri ? { sessionUri } : {}) });
  const first = await agentA.send(req());
  // The browser: Mandate's authorize URL on A, Entra, then the callback routed to the other process.
  let url = first.authorizationUrl!;
  for (let i = 0; i < 10 && !url.startsWith(RETURN_URL); i++) {
    const u = new URL(url.startsWith(`${a.url}/identities/oauth2/callback/`) ? url.replace(a.url, childUrl) : url);
    if (u.pathname.endsWith('/oauth2/v2.0/authorize')) u.searchParams.set('login_hint', entra.alice);
    const res = await fetch(u, { redirect: 'manual' });
    await res.arrayBuffer();
    url = new URL(res.headers.get('location')!, u).href;
  }
  assert.equal(new URL(url).searchParams.get('session_id'), first.sessionUri);

  const cmd = req(first.sessionUri);
  cmd.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-mandate-wait'] = '20';
    return next(args);
  }, { step: 'build' });
  let returnedAt = 0;
  const poll = agentA.send(cmd).then((r) => ((returnedAt = Date.now()), r));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(returnedAt, 0);
  await agentB.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: 'alice' } }));
  const completedAt = Date.now();
  const out = await poll;
  assert.ok(out.accessToken);
  // Measured ~10 ms; the bound leaves room for a loaded CI machine and is still far below the SDKs' 5 s tick.
  assert.ok(returnedAt - completedAt < 500, `poll returned ${returnedAt - completedAt} ms after completion`);
  assert.equal((await agentB.send(req())).accessToken, out.accessToken);
});
