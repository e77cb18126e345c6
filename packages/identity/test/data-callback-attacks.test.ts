import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { collections } from '../src/model.ts';
import type { VaultTokenDoc } from '../src/vault/tokens.ts';
import { readVault, writeVault } from '../src/vault/tokens.ts';
import { countingFetch, createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from './data-harness.ts';

/** Attacks on the browser legs: replayed callbacks and codes, forged state, provider errors, swapped vault rows. */
const RETURN_URL = 'https://app.example.test/oauth/return';
let entra: Entra;
let m: Mandate;
let agent: BedrockAgentCoreClient;

before(async () => {
  entra = await startEntra();
  m = await startMandate({ entraAuthorityBase: entra.emulator.url, fetch: countingFetch(entra) });
  await createEntraProvider(m, entra);
  await createEntraProvider(m, entra, 'entra-second');
  await createWorkload(m, 'cb-agent', [RETURN_URL]);
  agent = dataClient(m.url, await workloadKey(m, 'cb-agent', true));
});
after(async () => {
  await m?.close();
  await entra?.close();
});

async function start(userId: string, provider = 'entra') {
  const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'cb-agent', userId }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: [`api://${entra.appId}/read`], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL, ...(sessionUri ? { sessionUri } : {}) });
  const first = await agent.send(req());
  return { wat, req, first };
}

/** Opens the authorization URL and signs in at Entra; returns the provider's redirect to Mandate's callback, not yet followed. */
async function callbackUrlFor(authorizationUrl: string, user: string, extra: Record<string, string> = {}): Promise<URL> {
  const toProvider = await fetch(authorizationUrl, { redirect: 'manual' });
  const u = new URL(toProvider.headers.get('location')!);
  u.searchParams.set('login_hint', user);
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
  const res = await fetch(u, { redirect: 'manual' });
  await res.arrayBuffer();
  return new URL(res.headers.get('location')!, u);
}

async function open(url: URL | string): Promise<{ status: number; location: string | null; body: string; referrerPolicy: string | null }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), referrerPolicy: res.headers.get('referrer-policy') };
}

test('a callback completes once: a replay, a forged state or a missing state exchange nothing', async () => {
  const { first } = await start('u1');
  const cb = await callbackUrlFor(first.authorizationUrl!, entra.alice);
  const codeCalls = () => entra.tokenCalls.get('authorization_code') ?? 0;
  const before = codeCalls();

  const forged = new URL(cb);
  forged.searchParams.set('state', 'x'.repeat(43));
  const r1 = await open(forged);
  assert.equal(r1.status, 403);
  assert.match(r1.body, /The authorization response is unknown, expired or was already used\./);
  const noState = new URL(cb);
  noState.searchParams.delete('state');
  assert.equal((await open(noState)).status, 400);
  assert.equal(codeCalls(), before, 'no code exchange for a bad state');

  const ok = await open(cb);
  assert.equal(ok.status, 302);
  assert.equal(ok.referrerPolicy, 'no-referrer');
  assert.equal(new URL(ok.location!).searchParams.get('session_id'), first.sessionUri);
  assert.equal(codeCalls(), before + 1);

  const replay = await open(cb);
  assert.equal(replay.status, 403);
  assert.match(replay.body, /already used/);
  assert.equal(codeCalls(), before + 1);
});

test('concurrent deliveries of one callback redeem the code once', async () => {
  const { first } = await start('u2');
  const cb = await callbackUrlFor(first.authorizationUrl!, entra.alice);
  const before = entra.tokenCalls.get('authorization_code') ?? 0;
  const results = await Promise.all(Array.from({ length: 10 }, () => open(cb)));
  assert.equal(results.filter((r) => r.status === 302).length, 1);
  assert.equal(results.filter((r) => r.status === 403).length, 9);
  assert.equal((entra.tokenCalls.get('authorization_code') ?? 0) - before, 1);
});

test('a response delivered to another provider\'s callback URL (mix-up) fails the session', async () => {
  const { first, req } = await start('u3');
  const cb = await callbackUrlFor(first.authorizationUrl!, entra.alice);
  const providers = await m.identity.services.store.list<{ callbackId: string; name: string }>(collections.oauth2Providers);
  const other = providers.items.find((p) => p.doc.name === 'entra-second')!.doc.callbackId;
  const mixed = new URL(cb.href.replace(/callback\/[0-9a-f-]+/, `callback/${other}`));
  const r = await open(mixed);
  assert.equal(r.status, 403);
  assert.match(r.body, /another provider&#39;s callback URL/);
  await assert.rejects(agent.send(req(first.sessionUri)), { name: 'AccessDeniedException', message: 'The authorization response arrived at another provider\'s callback URL.' });
});

test('a provider error at the callback ends the agent\'s polling with a typed error', async () => {
  const { first, req } = await start('u4');
  const toProvider = new URL((await fetch(first.authorizationUrl!, { redirect: 'manual' })).headers.get('location')!);
  // The user declines consent: the provider redirects back with error=access_denied.
  const cb = new URL(toProvider.searchParams.get('redirect_uri')!);
  cb.searchParams.set('error', 'access_denied');
  cb.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
  cb.searchParams.set('state', toProvider.searchParams.get('state')!);
  const r = await open(cb);
  assert.equal(r.status, 403);
  await assert.rejects(agent.send(req(first.sessionUri)), {
    name: 'AccessDeniedException', message: 'Credential provider entra refused the request: access_denied (AADSTS65004: User declined to consent to access the app.).',
  });
});

test('vault rows are bound to their key: a swapped row fails to decrypt and is never served to the other user', async () => {
  const tokens: string[] = [];
  for (const id of ['swap-a', 'swap-b']) {
    const { first, req } = await start(id);
    const cb = await callbackUrlFor(first.authorizationUrl!, entra.alice);
    await open(cb);
    await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: id } }));
    tokens.push((await agent.send(req(first.sessionUri))).accessToken!);
  }
  const store = m.identity.services.store;
  const all = (await store.list<VaultTokenDoc>(collections.vaultTokens)).items;
  const ra = all.find((r) => r.doc.userKey === 'uid:swap-a')!;
  const rb = all.find((r) => r.doc.userKey === 'uid:swap-b')!;
  // An attacker with write access to the table swaps the ciphertexts.
  await store.put(collections.vaultTokens, ra.id, { ...ra.doc, accessToken: rb.doc.accessToken, refreshToken: rb.doc.refreshToken });
  const key = (userId: string) => ({ workloadName: 'cb-agent', user: { kind: 'userId' as const, userId }, providerName: 'entra', scopes: [`api://${entra.appId}/read`] });
  assert.equal(await readVault(m.identity.services, key('swap-a')), undefined);
  assert.equal((await readVault(m.identity.services, key('swap-b')))!.accessToken, tokens[1]);
  // The agent for swap-a gets a new authorization session, never swap-b's token.
  const again = await start('swap-a');
  assert.equal(again.first.accessToken, undefined);
  assert.ok(again.first.authorizationUrl);
});

test('customParameters reach the provider but cannot override the flow\'s own parameters; resources are not sent to Entra', async () => {
  const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'cb-agent', userId: 'u6' }))).workloadAccessToken!;
  const first = await agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: [`api://${entra.appId}/read`], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
    customParameters: { prompt: 'consent', domain_hint: 'contoso', state: 'attacker', redirect_uri: 'https://evil.example/cb', code_challenge_method: 'plain' },
    resources: ['https://api.example.test'], audiences: ['aud-1'],
  }));
  const u = new URL((await fetch(first.authorizationUrl!, { redirect: 'manual' })).headers.get('location')!);
  assert.equal(u.searchParams.get('prompt'), 'consent');
  assert.equal(u.searchParams.get('domain_hint'), 'contoso');
  assert.notEqual(u.searchParams.get('state'), 'attacker');
  assert.equal(u.searchParams.getAll('state').length, 1);
  assert.match(u.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/identities\/oauth2\/callback\/[0-9a-f-]{36}$/);
  assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(u.searchParams.get('resource'), null);
  assert.deepEqual(u.searchParams.getAll('audience'), ['aud-1']);
});

test('a refresh token the provider rejects (invalid_grant) removes the row and starts a new consent, no retry loop', async () => {
  const key = { workloadName: 'cb-agent', user: { kind: 'userId' as const, userId: 'u7' }, providerName: 'entra', scopes: [`api://${entra.appId}/read`] };
  // A stored grant whose access token expired and whose refresh token the provider no longer honours.
  await writeVault(m.identity.services, key, { accessToken: 'expired-at', refreshToken: 'revoked-rt', expiresAt: Date.now() - 1000 });
  const before = entra.tokenCalls.get('refresh_token') ?? 0;
  const { first } = await start('u7');
  assert.equal(first.accessToken, undefined);
  assert.equal(first.sessionStatus, 'IN_PROGRESS');
  assert.equal((entra.tokenCalls.get('refresh_token') ?? 0) - before, 1);
  assert.equal(await readVault(m.identity.services, key), undefined);
});
