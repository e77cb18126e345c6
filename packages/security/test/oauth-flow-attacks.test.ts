// Item 2: attacks on the 3-legged OAuth flow (USER_FEDERATION) of a live Mandate against the Entra emulator,
// driven leg by leg with a scripted browser (helpers/oauth-browser.ts) so each leg can be replayed, swapped or
// tampered with. Each test asserts the exact refusal, that the provider's token endpoint was (not) called, and
// that the vault holds nothing it should not. SSRF through discovery URLs: oauth-ssrf.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import {
  CompleteResourceTokenAuthCommand, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForUserIdCommand, type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { collections } from '@mandate/identity/testing';
import { createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from '@mandate/identity/test-harness';
import { callbackFor, consentAt, open, providerUrlFor } from './helpers/oauth-browser.ts';

const RETURN_URL = 'https://app.example.test:8443/oauth/return';
let entra: Entra;
let m: Mandate;
let agent: BedrockAgentCoreClient;
let scope: string;
/** Bodies of authorization_code requests Mandate sent to the provider's token endpoint. */
const codeRedemptions: URLSearchParams[] = [];

before(async () => {
  entra = await startEntra();
  const recording: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/oauth2/v2.0/token') && init?.body) {
      const body = new URLSearchParams(String(init.body));
      if (body.get('grant_type') === 'authorization_code') codeRedemptions.push(body);
    }
    return fetch(input, init);
  };
  m = await startMandate({ entraAuthorityBase: entra.emulator.url, fetch: recording });
  await createEntraProvider(m, entra);
  await createWorkload(m, 'flow-agent', [RETURN_URL]);
  agent = dataClient(m.url, await workloadKey(m, 'flow-agent', true));
  scope = `api://${entra.appId}/read`;
});
after(async () => {
  await m?.close();
  await entra?.close();
});

interface Flow {
  wat: string;
  authorizationUrl: string;
  sessionUri: string;
  poll(): Promise<{ accessToken?: string | undefined; sessionStatus?: string | undefined }>;
}

async function start(userId: string, extra: Record<string, unknown> = {}): Promise<Flow> {
  const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'flow-agent', userId }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: [scope], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
    ...(sessionUri ? { sessionUri } : {}), ...extra,
  });
  const first = await agent.send(req());
  assert.equal(first.sessionStatus, 'IN_PROGRESS');
  return { wat, authorizationUrl: first.authorizationUrl!, sessionUri: first.sessionUri!, poll: () => agent.send(req(first.sessionUri)) };
}

const vaultRows = async () => (await m.identity.services.store.list(collections.vaultTokens)).items.length;
const sessionStatus = async (sessionUri: string) => (await m.identity.services.store.get<{ status: string }>(collections.authSessions, sessionUri.split(':').pop()!))?.doc.status;
const complete = (sessionUri: string, userId: string) => agent.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userId } }));

test('forwarded authorization URL: another user consents and their app session completes: refused, nothing stored, the agent gets an error', async () => {
  const rows = await vaultRows();
  const a = await start('alice');
  const back = new URL((await open(await callbackFor(a.authorizationUrl, entra.bob))).location!);
  assert.equal(back.origin + back.pathname, RETURN_URL);
  await assert.rejects(complete(back.searchParams.get('session_id')!, 'bob'), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it. Nothing was stored.' });
  assert.equal(await sessionStatus(a.sessionUri), 'FAILED');
  assert.equal(await vaultRows(), rows);
  await assert.rejects(a.poll(), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it.' });
  await assert.rejects(complete(a.sessionUri, 'alice'), { name: 'AccessDeniedException', message: 'Invalid or expired session.' }, 'a failed session cannot be rescued');
  assert.equal(await vaultRows(), rows);
});

test('forwarded authorization URL (consent phishing): the starter cannot complete with the session id read from the URL after the victim consented', async () => {
  const rows = await vaultRows();
  const attacker = await start('mallory');
  // Mallory sends her authorization URL to Bob; Bob consents. Before Bob's browser reaches the application,
  // Mallory completes with what she can read from the URL she sent.
  const cb = await callbackFor(attacker.authorizationUrl, entra.bob);
  const fromUrl = new URL(attacker.authorizationUrl).searchParams.get('request_uri')!;
  const bobsBrowser = await open(cb);
  assert.equal(bobsBrowser.status, 302);
  await assert.rejects(complete(fromUrl, 'mallory'), { name: 'AccessDeniedException', message: 'Invalid or expired session.' });
  assert.equal(await vaultRows(), rows, 'Bob\'s token was not stored for Mallory');
  assert.equal((await attacker.poll()).accessToken, undefined);
  // Bob's browser reaches the application, which completes as Bob: refused, the session fails.
  const sid = new URL(bobsBrowser.location!).searchParams.get('session_id')!;
  await assert.rejects(complete(sid, 'bob'), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it. Nothing was stored.' });
  assert.equal(await vaultRows(), rows);
});

test('forwarded provider URL: the starter opens /authorize and sends the provider URL (with her state and PKCE challenge) to a victim: the victim\'s consent completes nothing for her', async () => {
  const rows = await vaultRows();
  const attacker = await start('mallory-2');
  const providerUrl = await providerUrlFor(attacker.authorizationUrl);
  const bobsBrowser = await open(await consentAt(providerUrl, entra.bob));
  assert.equal(bobsBrowser.status, 302);
  // Everything Mallory holds: the authorization URL and the provider URL. Neither carries the sessionUri.
  for (const guess of [new URL(attacker.authorizationUrl).searchParams.get('request_uri')!, `urn:ietf:params:oauth:request_uri:${providerUrl.searchParams.get('state')}`]) {
    await assert.rejects(complete(guess, 'mallory-2'), { name: 'AccessDeniedException', message: 'Invalid or expired session.' });
  }
  assert.equal((await attacker.poll()).accessToken, undefined);
  await assert.rejects(complete(new URL(bobsBrowser.location!).searchParams.get('session_id')!, 'bob'), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it. Nothing was stored.' });
  assert.equal(await vaultRows(), rows);
});

test('callback replay: a second delivery of the same callback is refused and redeems nothing', async () => {
  const f = await start('replay-user');
  const cb = await callbackFor(f.authorizationUrl, entra.alice);
  const n = codeRedemptions.length;
  const first = await open(cb);
  assert.equal(first.status, 302);
  assert.equal(first.headers.get('referrer-policy'), 'no-referrer');
  const second = await open(cb);
  assert.equal(second.status, 403);
  assert.match(second.body, /The authorization response is unknown, expired or was already used\./);
  assert.equal(second.location, null);
  assert.equal(codeRedemptions.length, n + 1, 'one code redemption only');
});

test('code injection: a code from session X delivered with session Y\'s state is redeemed with Y\'s PKCE verifier and fails at the provider; nothing stored', async () => {
  const rows = await vaultRows();
  const x = await start('inject-x');
  const y = await start('inject-y');
  const cbX = await callbackFor(x.authorizationUrl, entra.alice);
  const cbY = await callbackFor(y.authorizationUrl, entra.bob);
  const injected = new URL(cbY);
  injected.searchParams.set('code', cbX.searchParams.get('code')!);
  const r = await open(injected);
  assert.equal(r.status, 403);
  assert.equal(r.location, null);
  const sent = codeRedemptions.at(-1)!;
  assert.equal(sent.get('code'), cbX.searchParams.get('code'));
  assert.notEqual(createHash('sha256').update(sent.get('code_verifier')!).digest('base64url'), (await providerChallenge(x)), 'X\'s verifier never leaves X');
  await assert.rejects(y.poll(), (e: Error) => {
    assert.equal(e.name, 'AccessDeniedException');
    assert.match(e.message, /^Credential provider entra refused the request: invalid_grant \(AADSTS501481: /);
    return true;
  });
  assert.equal(await sessionStatus(y.sessionUri), 'FAILED');
  assert.equal(await vaultRows(), rows);
});

/** The S256 challenge Mandate sent to the provider for a flow (reading /authorize again is tolerated before the callback). */
async function providerChallenge(f: Flow): Promise<string | null> {
  const hop = await open(f.authorizationUrl);
  return hop.location ? new URL(hop.location).searchParams.get('code_challenge') : null;
}

test('mix-up: an authorization response claiming another issuer (RFC 9207 iss) fails the session before any code exchange', async () => {
  const rows = await vaultRows();
  const f = await start('iss-user');
  const cb = await callbackFor(f.authorizationUrl, entra.alice);
  cb.searchParams.set('iss', 'https://login.evil.example/common/v2.0');
  const n = codeRedemptions.length;
  const r = await open(cb);
  assert.equal(r.status, 403);
  assert.equal(r.location, null);
  assert.equal(codeRedemptions.length, n, 'no code exchange');
  await assert.rejects(f.poll(), (e: Error) => {
    assert.equal(e.name, 'AccessDeniedException');
    assert.match(e.message, /^Credential provider entra sent a response Mandate could not accept: .*"iss"/);
    return true;
  });
  assert.equal(await sessionStatus(f.sessionUri), 'FAILED');
  assert.equal(await vaultRows(), rows);
});

test('state mismatch: a state Mandate never issued, no state, and an overlong state exchange no code', async () => {
  const f = await start('state-user');
  const cb = await callbackFor(f.authorizationUrl, entra.alice);
  const n = codeRedemptions.length;
  const forged = new URL(cb);
  forged.searchParams.set('state', 'A'.repeat(43));
  const r1 = await open(forged);
  assert.equal(r1.status, 403);
  assert.match(r1.body, /The authorization response is unknown, expired or was already used\./);
  const none = new URL(cb);
  none.searchParams.delete('state');
  const r2 = await open(none);
  assert.equal(r2.status, 400);
  assert.match(r2.body, /The authorization response has no valid state\./);
  const long = new URL(cb);
  long.searchParams.set('state', 'A'.repeat(257));
  assert.equal((await open(long)).status, 400);
  assert.equal(codeRedemptions.length, n, 'no code exchange');
  assert.equal((await open(cb)).status, 302, 'the genuine callback still works afterwards');
});

test('PKCE downgrade: every authorization request carries its own S256 challenge, customParameters cannot weaken it, and the code is redeemed with the matching verifier', async () => {
  const f1 = await start('pkce-1', { customParameters: { code_challenge_method: 'plain', code_challenge: 'a'.repeat(43), Code_Challenge_Method: 'plain' } });
  const f2 = await start('pkce-2');
  const u1 = await providerUrlFor(f1.authorizationUrl);
  const u2 = await providerUrlFor(f2.authorizationUrl);
  for (const u of [u1, u2]) {
    assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
    assert.deepEqual(u.searchParams.getAll('code_challenge').length, 1);
    assert.match(u.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
  }
  assert.equal(u1.searchParams.getAll('Code_Challenge_Method').length, 0, 'a differently-cased reserved parameter is dropped too');
  assert.notEqual(u1.searchParams.get('code_challenge'), u2.searchParams.get('code_challenge'));
  assert.equal((await open(await consentAt(u1, entra.alice))).status, 302);
  const verifier = codeRedemptions.at(-1)!.get('code_verifier')!;
  assert.match(verifier, /^[A-Za-z0-9_-]{43,128}$/);
  assert.equal(createHash('sha256').update(verifier).digest('base64url'), u1.searchParams.get('code_challenge'));
});

test('consent for scopes the provider was not asked for: a tampered scope at the provider fails the session and stores nothing', async () => {
  const rows = await vaultRows();
  const f = await start('scope-user');
  const u = await providerUrlFor(f.authorizationUrl);
  u.searchParams.set('scope', 'https://graph.microsoft.com/User.Read offline_access');
  const r = await open(await consentAt(u, entra.alice));
  assert.equal(r.status, 403, r.body);
  assert.equal(r.location, null);
  await assert.rejects(f.poll(), {
    name: 'AccessDeniedException', message: `Credential provider entra granted scopes other than the ones requested (missing: ${scope}).`,
  });
  assert.equal(await vaultRows(), rows);
});

const RETURN_VARIANTS: Array<[string, string]> = [
  ['trailing slash', `${RETURN_URL}/`],
  ['upper-case host', RETURN_URL.replace('app.example.test', 'APP.example.test')],
  ['upper-case path', RETURN_URL.replace('/oauth/return', '/OAuth/return')],
  ['percent-encoded path character', RETURN_URL.replace('/return', '/%72eturn')],
  ['encoded slash', RETURN_URL.replace('/oauth/return', '/oauth%2Freturn')],
  ['dot segment', RETURN_URL.replace('/oauth/return', '/oauth/x/../return')],
  ['userinfo pointing elsewhere', 'https://app.example.test:8443@evil.example/oauth/return'],
  ['userinfo prefix', 'https://evil@app.example.test:8443/oauth/return'],
  ['other port', RETURN_URL.replace(':8443', ':8444')],
  ['default port', RETURN_URL.replace(':8443', '')],
  ['http instead of https', RETURN_URL.replace('https:', 'http:')],
  ['subdomain', RETURN_URL.replace('app.example.test', 'evil.app.example.test')],
  ['suffix domain', RETURN_URL.replace('app.example.test', 'app.example.test.evil.example')],
  ['extra query', `${RETURN_URL}?next=https://evil.example`],
  ['fragment', `${RETURN_URL}#x`],
  ['javascript scheme', 'javascript:alert(document.domain)//app.example.test:8443/oauth/return'],
  ['data scheme', 'data:text/html,<script>alert(1)</script>'],
  ['protocol-relative', '//evil.example/oauth/return'],
  ['backslash host confusion', 'https://app.example.test:8443\\@evil.example/oauth/return'],
  ['leading whitespace', ` ${RETURN_URL}`],
  ['trailing newline', `${RETURN_URL}\n`],
];

for (const [name, url] of RETURN_VARIANTS) {
  test(`return URL variant refused (exact match, RFC 9700 §4.1.3): ${name}`, async () => {
    const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'flow-agent', userId: 'ret-user' }))).workloadAccessToken!;
    const sessions = (await m.identity.services.store.list(collections.authSessions)).items.length;
    await assert.rejects(agent.send(new GetResourceOauth2TokenCommand({
      workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: [scope], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: url,
    })), {
      name: 'ValidationException', message: 'resourceOauth2ReturnUrl is not one of the allowedResourceOauth2ReturnUrls of workload identity flow-agent.',
    });
    assert.equal((await m.identity.services.store.list(collections.authSessions)).items.length, sessions, 'no session created');
  });
}

test('redirect-URI variants of Mandate\'s callback (case, trailing slash, encoding, dot segments) are not Mandate\'s callback: no redirect, no code exchange, state kept', async () => {
  const f = await start('cb-variant-user');
  const cb = await callbackFor(f.authorizationUrl, entra.alice);
  const id = /\/callback\/([^/?]+)$/.exec(cb.pathname)![1]!;
  const n = codeRedemptions.length;
  const variants = [
    cb.pathname.replace(id, id.toUpperCase()),
    `${cb.pathname}/`,
    // (A percent-encoded unreserved character is the same URI, RFC 3986 §6.2.2.2, and is routed as such.)
    cb.pathname.replace('/callback/', '/callback/x/../'),
    cb.pathname.replace('/callback/', '/callback/%2e%2e/callback/'),
    cb.pathname.replace('/callback/', '//callback/'),
    cb.pathname.replace('/identities/', '/IDENTITIES/'),
    cb.pathname.replace(id, `${id}%00`),
  ];
  for (const path of variants) {
    const r = await rawGet(`${path}${cb.search}`); // sent as written: fetch would normalise dot segments first
    assert.ok(r.status === 404 || r.status === 403 || r.status === 400, `${path}: ${r.status}`);
    assert.equal(r.location, null, path);
  }
  assert.equal(codeRedemptions.length, n, 'no code exchange');
  const ok = await open(cb);
  assert.equal(ok.status, 302, 'the state was not consumed by the variants');
  assert.equal(new URL(ok.location!).origin + new URL(ok.location!).pathname, RETURN_URL);
});

/** A GET with the request target exactly as given. */
function rawGet(target: string): Promise<{ status: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const u = new URL(m.url);
    const req = request({ host: u.hostname, port: u.port, path: target, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location ?? null }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('redirect-URI variants at the provider: the emulated Entra refuses any redirect_uri but the registered callback', async () => {
  const f = await start('provider-variant-user');
  const u = await providerUrlFor(f.authorizationUrl);
  const registered = u.searchParams.get('redirect_uri')!;
  for (const variant of [`${registered}/`, registered.toUpperCase().replace('HTTP://', 'http://'), registered.replace('127.0.0.1', 'localhost'), `${registered}?x=1`]) {
    const t = new URL(u);
    t.searchParams.set('redirect_uri', variant);
    t.searchParams.set('login_hint', entra.alice);
    const r = await open(t);
    assert.equal(r.status, 400, variant);
    assert.match(r.body, /AADSTS50011/);
  }
});

test('open redirect: Mandate\'s browser routes only ever redirect to the provider or the registered return URL', async () => {
  const evil = 'https://evil.example/steal';
  const r1 = await open(`${m.url}/identities/oauth2/authorize?request_uri=${encodeURIComponent(evil)}`);
  assert.equal(r1.status, 403);
  assert.equal(r1.location, null);
  const r2 = await open(`${m.url}/identities/oauth2/authorize?request_uri=${encodeURIComponent(`urn:ietf:params:oauth:request_uri:${'A'.repeat(43)}`)}&redirect_uri=${encodeURIComponent(evil)}`);
  assert.equal(r2.status, 403);
  assert.equal(r2.location, null);
  const f = await start('redirect-user');
  const hop = await open(`${f.authorizationUrl}&redirect_uri=${encodeURIComponent(evil)}&return_url=${encodeURIComponent(evil)}`);
  assert.equal(hop.status, 302);
  const toProvider = new URL(hop.location!);
  assert.equal(toProvider.origin, entra.emulator.url);
  assert.match(toProvider.searchParams.get('redirect_uri')!, new RegExp(`^${m.url}/identities/oauth2/callback/[0-9a-f-]{36}$`));
  const cb = await consentAt(toProvider, entra.alice);
  cb.searchParams.set('redirect_uri', evil);
  cb.searchParams.set('return_url', evil);
  const back = await open(cb);
  assert.equal(back.status, 302);
  const to = new URL(back.location!);
  assert.equal(to.origin + to.pathname, RETURN_URL);
  assert.deepEqual([...to.searchParams.keys()], ['session_id']);
  const r3 = await open(`${m.url}/identities/oauth2/return?session_id=${encodeURIComponent(evil)}&next=${encodeURIComponent(evil)}`);
  assert.equal(r3.status, 403);
  assert.equal(r3.location, null);
  const r4 = await open(`${m.url}/identities/oauth2/callback/00000000-0000-0000-0000-000000000000?code=x&state=y&redirect_uri=${encodeURIComponent(evil)}`);
  assert.equal(r4.status, 404);
  assert.equal(r4.location, null);
});

test('the genuine flow still works end to end after every attack above (the suite is not refusing everything)', async () => {
  const f = await start('genuine-user');
  const back = new URL((await open(await callbackFor(f.authorizationUrl, entra.alice))).location!);
  await complete(back.searchParams.get('session_id')!, 'genuine-user');
  assert.ok((await f.poll()).accessToken);
});
