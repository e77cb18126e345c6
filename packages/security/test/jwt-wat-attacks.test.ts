// Item 1, Mandate's own tokens: workload access tokens (WATs, `mwat1.<kid>.<iv>.<ct||tag>`, AES-256-GCM) forged,
// tampered, replayed across workloads and deployments, expired, and used in the wrong place, against a live
// server through the official client. Every failure must be the one AccessDeniedException that says nothing
// about why, and must create no authorization session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  BedrockAgentCoreClient as DataClient, GetResourceApiKeyCommand, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenCommand, GetWorkloadAccessTokenForUserIdCommand, type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { ManualClock } from '@mandate/core';
import { MemoryStore } from '@mandate/storage';
import { collections } from '@mandate/identity/testing';
import { createWorkload, dataClient, startMandate, workloadKey, type Mandate } from '@mandate/identity/test-harness';
import { makeKey, signRaw } from './helpers/jwt-forge.ts';

const RETURN_URL = 'https://app.example.test/return';
const clock = new ManualClock(Date.now());
let m: Mandate;
let other: Mandate; // another Mandate deployment: its own store and master key
let agentA: BedrockAgentCoreClient;
let agentB: BedrockAgentCoreClient;
let agentNoUserId: BedrockAgentCoreClient;
let credsA: Awaited<ReturnType<typeof workloadKey>>;

before(async () => {
  m = await startMandate({ entraAuthorityBase: 'https://login.microsoftonline.com', clock });
  other = await startMandate({ entraAuthorityBase: 'https://login.microsoftonline.com', store: new MemoryStore() });
  for (const x of [m, other]) {
    await createWorkload(x, 'wat-a', [RETURN_URL]);
    await x.control.send(new CreateOauth2CredentialProviderCommand({
      name: 'idle-provider', credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { authorizationServerMetadata: {
        issuer: 'http://127.0.0.1:9/as', authorizationEndpoint: 'http://127.0.0.1:9/authorize', tokenEndpoint: 'http://127.0.0.1:9/token',
      } } } },
    }));
  }
  await createWorkload(m, 'wat-b', [RETURN_URL]);
  await m.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'api-key-a', apiKey: 'sk-wat-attack-canary' }));
  credsA = await workloadKey(m, 'wat-a', true);
  agentA = dataClient(m.url, credsA);
  agentB = dataClient(m.url, await workloadKey(m, 'wat-b', true));
  agentNoUserId = dataClient(m.url, await workloadKey(m, 'wat-a', false));
});
after(async () => {
  await m?.close();
  await other?.close();
});

const mint = async (client: BedrockAgentCoreClient, workloadName: string, userId: string) =>
  (await client.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId }))).workloadAccessToken!;

const federate = (client: BedrockAgentCoreClient, wat: string, sessionUri?: string) => client.send(new GetResourceOauth2TokenCommand({
  workloadIdentityToken: wat, resourceCredentialProviderName: 'idle-provider', scopes: ['read'], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
  ...(sessionUri ? { sessionUri } : {}),
}));

const sessionCount = async () => (await m.identity.services.store.list(collections.authSessions)).items.length;

async function rejectsWat(wat: string, client = agentA, message = 'The workload access token is invalid or expired.'): Promise<void> {
  const before = await sessionCount();
  await assert.rejects(federate(client, wat), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, message);
    assert.equal(e.$metadata.httpStatusCode, 403);
    return true;
  });
  assert.equal(await sessionCount(), before, 'no authorization session was created');
}

/** Replaces one dot-separated part of a WAT. */
function withPart(wat: string, i: number, f: (s: string) => string): string {
  const p = wat.split('.');
  p[i] = f(p[i]!);
  return p.join('.');
}
const flipFirstBit = (s: string) => { const b = Buffer.from(s, 'base64url'); b[0] = b[0]! ^ 1; return b.toString('base64url'); };

test('positive control: a fresh WAT bound to a user starts an authorization session', async () => {
  const r = await federate(agentA, await mint(agentA, 'wat-a', 'alice'));
  assert.equal(r.sessionStatus, 'IN_PROGRESS');
  assert.match(r.sessionUri!, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
});

test('WAT attack: one bit flipped in the ciphertext', async () => {
  await rejectsWat(withPart(await mint(agentA, 'wat-a', 'alice'), 3, flipFirstBit));
});

test('WAT attack: one bit flipped in the authentication tag', async () => {
  await rejectsWat(withPart(await mint(agentA, 'wat-a', 'alice'), 3, (s) => { const b = Buffer.from(s, 'base64url'); b[b.length - 1] = b[b.length - 1]! ^ 1; return b.toString('base64url'); }));
});

test('WAT attack: the IV replaced', async () => {
  await rejectsWat(withPart(await mint(agentA, 'wat-a', 'alice'), 2, () => randomBytes(12).toString('base64url')));
});

test('WAT attack: the tag truncated to 8 bytes', async () => {
  await rejectsWat(withPart(await mint(agentA, 'wat-a', 'alice'), 3, (s) => Buffer.from(s, 'base64url').subarray(0, -8).toString('base64url')));
});

test('WAT attack: the kid replaced by a path, an SQL fragment and an unknown key id', async () => {
  const wat = await mint(agentA, 'wat-a', 'alice');
  for (const kid of ['../../../../etc/passwd', "x' OR '1'='1", 'AAAAAAAAAAAA', '__proto__', 'constructor']) await rejectsWat(withPart(wat, 1, () => kid));
});

test('WAT attack: another prefix, a missing part, an extra part, empty parts', async () => {
  const wat = await mint(agentA, 'wat-a', 'alice');
  await rejectsWat(withPart(wat, 0, () => 'mwat2'));
  await rejectsWat(wat.split('.').slice(0, 3).join('.'));
  await rejectsWat(`${wat}.AAAA`);
  await rejectsWat('mwat1...');
});

test('WAT attack: a user JWT (correctly signed by some issuer) presented as a WAT', async () => {
  const key = await makeKey('k1');
  await rejectsWat(await signRaw(key, { alg: 'RS256', kid: 'k1' }, { sub: 'alice', w: 'wat-a', u: ['u', 'alice'], exp: Math.floor(Date.now() / 1000) + 600 }));
});

test('WAT attack: a WAT minted by another Mandate deployment for a workload of the same name', async () => {
  const foreign = (await other.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'wat-a', userId: 'alice' }))).workloadAccessToken!;
  assert.equal((await federate(other.data, foreign)).sessionStatus, 'IN_PROGRESS', 'valid where it was minted');
  await rejectsWat(foreign);
});

test('WAT attack: workload B\'s key presents workload A\'s WAT', async () => {
  await rejectsWat(await mint(agentA, 'wat-a', 'alice'), agentB, 'This access key may not act for workload identity wat-a.');
});

test('WAT attack: workload B\'s key presents workload A\'s WAT to read A\'s API key', async () => {
  const wat = (await agentA.send(new GetWorkloadAccessTokenCommand({ workloadName: 'wat-a' }))).workloadAccessToken!;
  assert.equal((await agentA.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'api-key-a' }))).apiKey, 'sk-wat-attack-canary');
  await assert.rejects(agentB.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'api-key-a' })), {
    name: 'AccessDeniedException', message: 'This access key may not act for workload identity wat-a.',
  });
});

test('WAT attack: a WAT without a user (GetWorkloadAccessToken) used for USER_FEDERATION', async () => {
  const wat = (await agentA.send(new GetWorkloadAccessTokenCommand({ workloadName: 'wat-a' }))).workloadAccessToken!;
  const before = await sessionCount();
  await assert.rejects(federate(agentA, wat), {
    name: 'ValidationException', message: 'USER_FEDERATION needs a workload access token bound to a user (GetWorkloadAccessTokenForJWT or ForUserId).',
  });
  assert.equal(await sessionCount(), before);
});

test('WAT attack: user B\'s WAT polls user A\'s session (no token, no status)', async () => {
  const a = await federate(agentA, await mint(agentA, 'wat-a', 'poll-a'));
  await assert.rejects(federate(agentA, await mint(agentA, 'wat-a', 'poll-b'), a.sessionUri), { name: 'AccessDeniedException', message: 'Invalid or expired session.' });
  await assert.rejects(federate(agentB, await mint(agentB, 'wat-b', 'poll-a'), a.sessionUri), { name: 'AccessDeniedException', message: 'Invalid or expired session.' });
});

test('WAT attack: a workload key without allowUserIdTokens asserts a user id', async () => {
  await assert.rejects(agentNoUserId.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'wat-a', userId: 'alice' })), {
    name: 'AccessDeniedException', message: 'This access key may not mint workload access tokens for a user id (allowUserIdTokens is off).',
  });
  await assert.rejects(agentB.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'wat-a', userId: 'alice' })), {
    name: 'AccessDeniedException', message: 'This access key may not act for workload identity wat-a.',
  });
});

// Last: moves the shared clock.
test('WAT attack: a WAT presented one second after its 15-minute lifetime', async () => {
  const wat = await mint(agentA, 'wat-a', 'alice');
  // The SDK signs with its own clock; tell it Mandate's time so SigV4 stays within its skew window.
  const at = (offsetMs: number) => new DataClient({ endpoint: m.url, region: 'us-west-2', credentials: credsA, maxAttempts: 1, systemClockOffset: offsetMs });
  clock.advance(15 * 60_000 - 1000);
  assert.equal((await federate(at(clock.now() - Date.now()), wat)).sessionStatus, 'IN_PROGRESS', 'still valid just before expiry');
  clock.advance(2000);
  await rejectsWat(wat, at(clock.now() - Date.now()));
});
