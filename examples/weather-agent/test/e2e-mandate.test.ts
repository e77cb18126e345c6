/**
 * End to end, nothing stood in: Mandate's identity service and runtime on one loopback port, the Entra
 * emulator (headless sign-in by login_hint), and the weather agent deployed with CreateAgentRuntime and
 * invoked with the unmodified AWS client (SigV4 + runtimeUserId). Mandate's runtime starts
 * `src/main.ts` per session and injects the WAT; the agent asks for the token with Mandate's SDK; the
 * test plays each user's browser through the authorization URL and then, as the application behind the
 * return URL, calls CompleteResourceTokenAuth. Each user's answer must carry that user's Entra `oid`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { BedrockAgentCoreClient, CompleteResourceTokenAuthCommand, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { memoryLogger } from '@mandate/core';
import { demoSeed, startEntraEmulator, type EntraEmulator } from '@mandate/emulators';
import { trustCa } from '@mandate/emulators';
import { listen, serve, type Listening } from '@mandate/http';
import { createAccessKey } from '@mandate/edge';
import { createIdentityService, type IdentityService } from '@mandate/identity';
import { LocalKeyProvider } from '@mandate/identity';
import { createRuntimeRouter, type RuntimeHandle } from '@mandate/runtime';
import { freePort } from '@mandate/runtime';
import { MemoryStore } from '@mandate/storage';
import { weatherSentence } from '../src/scripted-model.ts';
import { forecastFor } from '../src/weather-api.ts';
import { SseReader, textOf } from './sse.ts';

const REGION = 'us-west-2';
const AGENT_DIR = fileURLToPath(new URL('../src', import.meta.url));

interface Stack {
  url: string;
  entra: EntraEmulator;
  tenantId: string;
  appId: string;
  users: { username: string; oid: string }[];
  identity: IdentityService;
  runtime: RuntimeHandle;
  control: BedrockAgentCoreControlClient;
  data: BedrockAgentCoreClient;
  logLines: string[];
  close(): Promise<void>;
}

let stack: Stack;
let arn: string;
let caDir: string;

before(async () => {
  const seed = demoSeed();
  const tenant = seed.tenants[0]!;
  const app = tenant.apps![0]!;
  const entra = await startEntraEmulator({ seed, headless: true });
  trustCa(entra.caCertPem); // this process fetches the emulator's https pages as the user's browser
  caDir = mkdtempSync(join(tmpdir(), 'weather-e2e-'));
  const caFile = join(caDir, 'entra-ca.pem');
  writeFileSync(caFile, entra.caCertPem);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logger = memoryLogger('info');
  const identity = await createIdentityService({
    config: { publicUrl: url, region: REGION, accountId: '123456789012', devMode: true, entraAuthorityBase: entra.url },
    store: new MemoryStore(),
    keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: randomBytes(32).toString('base64') }),
    logger,
  });
  // The agent verifies tokens against the emulator's JWKS over https, so it must trust the emulator's CA.
  const runtime = createRuntimeRouter(identity.services, identity.port, { startTimeoutMs: 30_000, agentEnv: { NODE_EXTRA_CA_CERTS: caFile } }, identity.router);
  const listening: Listening = await listen(serve(identity.router, { logger }), port);
  const admin = await createAccessKey(identity.services, { role: 'admin' });
  const control = new BedrockAgentCoreControlClient({ endpoint: url, region: REGION, credentials: admin, maxAttempts: 1 });
  const data = new BedrockAgentCoreClient({ endpoint: url, region: REGION, credentials: admin, maxAttempts: 1 });
  stack = {
    url, entra, tenantId: tenant.id, appId: app.appId,
    users: entra.directory.listUsers(tenant.id).map((u) => ({ username: u.username, oid: u.id })),
    identity, runtime, control, data, logLines: logger.lines,
    close: async () => {
      control.destroy();
      data.destroy();
      await runtime.close();
      await listening.close();
      await identity.close();
      await entra.close();
    },
  };

  // The notebook's Step 2: the Entra app as credential provider `ms_entra_oauth_provider`.
  const provider = await control.send(new CreateOauth2CredentialProviderCommand({
    name: 'ms_entra_oauth_provider',
    credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: app.appId, clientSecret: app.clientSecrets![0]!.value, tenantId: tenant.id } },
  }));
  entra.directory.addRedirectUri(tenant.id, app.appId, provider.callbackUrl!);

  // The notebook's Step 4: deploy the agent (here: a local directory, run by Mandate's runtime).
  const created = await control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'strands_weather_entra_3lo',
    agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: AGENT_DIR } }, runtime: 'NODE_22', entryPoint: ['main.ts'] } },
    roleArn: 'arn:aws:iam::123456789012:role/agent',
    networkConfiguration: { networkMode: 'PUBLIC' },
    environmentVariables: {
      WEATHER_SCOPE: `api://${app.appId}/read`,
      WEATHER_API_ISSUER: `${entra.url}/${tenant.id}/v2.0`,
      WEATHER_API_JWKS_URI: `${entra.url}/${tenant.id}/discovery/v2.0/keys`,
      WEATHER_API_AUDIENCE: app.appId,
      LOG_LEVEL: 'warn',
    },
  }));
  arn = created.agentRuntimeArn!;
});

after(async () => {
  await stack?.close();
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});

/** The user's browser: authorization URL → Mandate → Entra (signs in by login_hint) → … → the return URL. */
async function consentAs(authorizationUrl: string, username: string): Promise<URL> {
  const returnPrefix = `${stack.url}/identities/oauth2/return`;
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(returnPrefix)) return new URL(url);
    const next = new URL(url);
    if (next.pathname.endsWith('/oauth2/v2.0/authorize')) next.searchParams.set('login_hint', username);
    const res = await fetch(next, { redirect: 'manual' });
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`browser stopped at ${next.origin}${next.pathname} with ${res.status}`);
    url = new URL(location, next).href;
  }
  throw new Error('too many redirects');
}

async function invoke(userId: string, city: string): Promise<SseReader> {
  const out = await stack.data.send(new InvokeAgentRuntimeCommand({
    agentRuntimeArn: arn,
    runtimeSessionId: `weather-${userId}-${randomBytes(16).toString('hex')}`,
    runtimeUserId: userId,
    payload: new TextEncoder().encode(JSON.stringify({ prompt: `Weather in ${city}?` })),
    contentType: 'application/json',
    accept: 'application/json, text/event-stream',
  }));
  assert.equal(out.statusCode, 200);
  assert.match(out.contentType ?? '', /^text\/event-stream/);
  const body = out.response as unknown as { transformToWebStream(): ReadableStream<Uint8Array> };
  return new SseReader(body.transformToWebStream());
}

/** One user's first visit: auth_required as its own event → browser consent → app completes binding → answer. */
async function firstVisit(user: { username: string; oid: string }, userId: string, city: string): Promise<string> {
  const sse = await invoke(userId, city);
  const first = await sse.next();
  assert.equal(first?.event, 'auth_required');
  const { authorizationUrl } = JSON.parse(first.data) as { authorizationUrl: string };
  assert.match(authorizationUrl, new RegExp(`^${stack.url}/identities/oauth2/authorize\\?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A`));

  const back = await consentAs(authorizationUrl, user.username);
  const sessionUri = back.searchParams.get('session_id')!;
  // The application behind the return URL confirms that its signed-in user is the one who started.
  await stack.data.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userId } }));

  const rest = await sse.rest();
  assert.deepEqual(rest[0], { event: 'authorized', data: '{}' });
  const answer = textOf(rest);
  assert.deepEqual(rest.at(-1), { event: 'done', data: JSON.stringify({ stopReason: 'endTurn', text: answer }) });
  assert.equal(rest.filter((e) => e.event === 'auth_required').length, 0);
  return answer;
}

const expected = (user: { username: string; oid: string }, city: string) =>
  weatherSentence({ city, ...forecastFor(city), checkedFor: { oid: user.oid, preferredUsername: user.username } });

describe('weather agent on Mandate (runtime + identity + Entra emulator)', () => {
  it('two users, two sessions: each consents once and gets an answer made with their own Entra token', { timeout: 120_000 }, async () => {
    const [alice, bob] = stack.users as [{ username: string; oid: string }, { username: string; oid: string }];
    const [forAlice, forBob] = await Promise.all([
      firstVisit(alice, 'alice-user', 'San Francisco'),
      firstVisit(bob, 'bob-user', 'Seattle'),
    ]);
    assert.equal(forAlice, expected(alice, 'San Francisco'));
    assert.equal(forBob, expected(bob, 'Seattle'));
  });

  it('a returning user in a new session is answered from the vault, without a consent round', { timeout: 60_000 }, async () => {
    const alice = stack.users[0]!;
    const events = await (await invoke('alice-user', 'Oslo')).rest();
    assert.equal(events.some((e) => e.event === 'auth_required'), false);
    assert.equal(textOf(events), expected(alice, 'Oslo'));
  });

  it('a user id that was never consented gets its own authorization URL, not someone else\'s token', { timeout: 60_000 }, async () => {
    const sse = await invoke('carol-user', 'Madrid');
    assert.equal((await sse.next())?.event, 'auth_required');
    await sse.cancel();
  });

  it('no token, WAT or client secret appears in Mandate\'s log (which includes the agent\'s output)', () => {
    const log = stack.logLines.join('\n');
    assert.equal(log.includes('eyJ'), false);
    assert.equal(log.includes('mwat1.'), false);
  });
});
