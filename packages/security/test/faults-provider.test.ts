import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetResourceOauth2TokenCommand, type BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { MemoryStore } from '@mandate/storage';
import { createWorkload, dataClient, startMandate, workloadKey, type Mandate } from '@mandate/identity/test-harness';
import { collections } from '@mandate/identity/testing';
import { readVault, type VaultTokenDoc } from '@mandate/identity/testing';
import { startFakeProvider, type FakeProvider, type TokenMode } from './helpers/fake-oauth-provider.ts';
import { browse, tokenRequest, workloadToken } from './helpers/flow-driver.ts';
import { dumpCollection } from './helpers/store-dump.ts';

/**
 * Issue 8 item 4 (provider faults): a credential provider whose token endpoint answers 5xx, hangs, or sends
 * garbage. Every case gives the agent a precise error, and nothing is half-written: no cached M2M token, no
 * vault row from a failed code exchange (the session is FAILED), and a failed refresh leaves the row and
 * its refresh token exactly as they were. A provider that quotes the request back in its error text does
 * not make Mandate leak the client secret, code, verifier or refresh token.
 */
const RETURN_URL = 'https://app.example.test/oauth/return';
const TIMEOUT_MS = 400;
let fake: FakeProvider;
let m: Mandate;
let agent: BedrockAgentCoreClient;
let store: MemoryStore;

before(async () => {
  fake = await startFakeProvider();
  store = new MemoryStore();
  m = await startMandate({ store, entraAuthorityBase: 'https://login.microsoftonline.com' });
  m.identity.services.config.providerTimeoutMs = TIMEOUT_MS;
  await m.control.send(new CreateOauth2CredentialProviderCommand({
    name: 'flaky',
    credentialProviderVendor: 'CustomOauth2',
    oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: fake.clientId, clientSecret: fake.clientSecret, oauthDiscovery: { authorizationServerMetadata: fake.metadata() } } },
  }));
  await createWorkload(m, 'fault-agent', [RETURN_URL]);
  agent = dataClient(m.url, await workloadKey(m, 'fault-agent', true));
});
after(async () => {
  await m?.close();
  await fake?.close();
});

interface Expected {
  name: string;
  status: number;
  message: string;
}
const notAccepted = (detail: string): Expected => ({ name: 'AccessDeniedException', status: 403, message: `Credential provider flaky sent a response Mandate could not accept: ${detail}` });
const CASES: [TokenMode, Expected][] = [
  ['500', notAccepted('"response" is not a conform Token Endpoint response (unexpected HTTP status code)')],
  ['503-html', notAccepted('"response" is not a conform Token Endpoint response (unexpected HTTP status code)')],
  ['garbage', notAccepted('failed to parse "response" body as JSON')],
  ['no-access-token', notAccepted('"response" body "access_token" property must be a string')],
  ['wrong-token-type', notAccepted('unsupported `token_type` value')],
  ['hang', { name: 'InternalServerException', status: 503, message: 'Credential provider flaky did not answer in time.' }],
];

async function rejects(p: Promise<unknown>, e: Expected): Promise<Error> {
  const t0 = performance.now();
  const err = await p.then(() => assert.fail('expected an error'), (x: unknown) => x as Error & { $metadata?: { httpStatusCode?: number } });
  assert.equal(err.name, e.name);
  assert.equal((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, e.status);
  assert.equal(err.message, e.message);
  assert.ok(performance.now() - t0 < TIMEOUT_MS + 2_000, 'answered promptly');
  return err;
}

const m2m = (wat: string, scope: string) => agent.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'flaky', scopes: [scope], oauth2Flow: 'M2M' }));

describe('client credentials (M2M) against a misbehaving token endpoint', () => {
  for (const [mode, expected] of CASES) {
    test(`token endpoint ${mode}: ${expected.name} ${expected.status}, no token cached`, async () => {
      const wat = await workloadToken(agent, 'fault-agent', 'm2m-user');
      fake.mode = mode;
      await rejects(m2m(wat, `m2m-${mode}`), expected);
      fake.mode = 'ok';
      assert.equal((await dumpCollection(store, collections.m2mTokens)).size, 0);
      // The provider recovers: the next call works and caches exactly one token.
      assert.match((await m2m(wat, `m2m-${mode}`)).accessToken!, /^at-/);
      assert.equal((await dumpCollection(store, collections.m2mTokens)).size, 1);
      await store.delete(collections.m2mTokens, [...(await dumpCollection(store, collections.m2mTokens)).keys()][0]!);
    });
  }
});

/** Starts a USER_FEDERATION flow and plays the browser through the fake provider back to Mandate's callback. */
async function federate(user: string, scope: string): Promise<{ wat: string; sessionUri: string; callback: Promise<URL> }> {
  const wat = await workloadToken(agent, 'fault-agent', user);
  const f = { providerName: 'flaky', scopes: [scope], returnUrl: RETURN_URL };
  const first = await agent.send(tokenRequest(f, wat));
  return { wat, sessionUri: first.sessionUri!, callback: browse(first.authorizationUrl!, user, m.url, m.url, m.url, RETURN_URL) };
}

describe('authorization-code exchange against a misbehaving token endpoint', () => {
  for (const [mode, expected] of CASES) {
    // The session records a failed exchange as access_denied: the poll answers 403 with the same message.
    const polled: Expected = { ...expected, name: 'AccessDeniedException', status: 403 };
    test(`code exchange ${mode}: the callback page fails, the session is FAILED, the agent's poll gets ${polled.name} "${polled.message}", nothing in the vault`, async () => {
      fake.mode = mode;
      const user = `code-${mode}`;
      const { wat, sessionUri, callback } = await federate(user, `code-${mode}`);
      await assert.rejects(callback, /browser stopped at .*\/identities\/oauth2\/callback\/.* with (403|502)/);
      fake.mode = 'ok';
      const s = await store.get<{ status: string }>(collections.authSessions, sessionUri.split(':').pop()!);
      assert.equal(s!.doc.status, 'FAILED');
      await rejects(agent.send(tokenRequest({ providerName: 'flaky', scopes: [`code-${mode}`], returnUrl: RETURN_URL }, wat, sessionUri)), polled);
      assert.equal((await dumpCollection(store, collections.vaultTokens)).size, 0);
    });
  }
});

describe('refresh against a misbehaving token endpoint', () => {
  const scope = 'refresh-scope';
  const f = { providerName: 'flaky', scopes: [scope], returnUrl: RETURN_URL };
  let wat = '';
  let vaultRowId = '';
  const key = { workloadName: 'fault-agent', user: { kind: 'userId' as const, userId: 'refresh-user' }, providerName: 'flaky', scopes: [scope] };

  before(async () => {
    fake.mode = 'ok';
    const flow = await federate('refresh-user', scope);
    wat = flow.wat;
    await flow.callback;
    const { CompleteResourceTokenAuthCommand } = await import('@aws-sdk/client-bedrock-agentcore');
    await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: flow.sessionUri, userIdentifier: { userId: 'refresh-user' } }));
    assert.match((await agent.send(tokenRequest(f, wat, flow.sessionUri))).accessToken!, /^at-/);
    vaultRowId = [...(await dumpCollection(store, collections.vaultTokens)).keys()][0]!;
  });

  /** Marks the stored access token expired (expiresAt is not part of the sealed context), forcing a refresh. */
  async function expire(): Promise<string> {
    const rec = await store.get<VaultTokenDoc>(collections.vaultTokens, vaultRowId);
    await store.put(collections.vaultTokens, vaultRowId, { ...rec!.doc, expiresAt: Date.now() - 1 });
    return (await dumpCollection(store, collections.vaultTokens)).get(vaultRowId)!;
  }

  for (const [mode, expected] of CASES) {
    test(`refresh ${mode}: ${expected.name} ${expected.status}, the row and its refresh token are untouched`, async () => {
      const before = await expire();
      const rtBefore = (await readVault(m.identity.services, key))!.refreshToken!;
      assert.ok(fake.liveRefreshTokens.has(rtBefore));
      fake.mode = mode;
      await rejects(agent.send(tokenRequest(f, wat)), expected);
      fake.mode = 'ok';
      assert.equal((await dumpCollection(store, collections.vaultTokens)).get(vaultRowId), before);
      // Recovery: the same refresh token is redeemed once and its successor is stored.
      const out = await agent.send(tokenRequest(f, wat));
      assert.match(out.accessToken!, /^at-/);
      const after = (await readVault(m.identity.services, key))!;
      assert.equal(after.accessToken, out.accessToken);
      assert.notEqual(after.refreshToken, rtBefore);
      assert.ok(fake.liveRefreshTokens.has(after.refreshToken!), 'the stored refresh token is the live successor');
    });
  }

  test('refresh echo-secret: the provider quotes the refresh token and client secret back; Mandate\'s error carries neither', async () => {
    await expire();
    const rt = (await readVault(m.identity.services, key))!.refreshToken!;
    fake.mode = 'echo-secret';
    const err = await rejects(agent.send(tokenRequest(f, wat)), { name: 'ValidationException', status: 400, message: 'Credential provider flaky refused the request: invalid_request (Bad request: [redacted] [redacted]).' });
    fake.mode = 'ok';
    assert.ok(!err.message.includes(rt) && !err.message.includes(fake.clientSecret));
    for (const line of m.logLines) assert.ok(!line.includes(rt) && !line.includes(fake.clientSecret), `log line leaks a secret: ${line}`);
  });

  test('refresh invalid_grant: the row is removed and the agent gets a new authorization URL (no retry loop)', async () => {
    await expire();
    fake.mode = 'invalid-grant';
    const calls = fake.tokenRequests.length;
    const out = await agent.send(tokenRequest(f, wat));
    fake.mode = 'ok';
    assert.equal(out.accessToken, undefined);
    assert.ok(out.authorizationUrl?.startsWith(`${m.url}/identities/oauth2/authorize?request_uri=`));
    assert.equal(fake.tokenRequests.length, calls + 1);
    assert.equal((await dumpCollection(store, collections.vaultTokens)).has(vaultRowId), false);
  });
});

test('M2M echo-secret: a provider quoting the client secret back does not make Mandate return or log it', async () => {
  const wat = await workloadToken(agent, 'fault-agent', 'm2m-user');
  fake.mode = 'echo-secret';
  await rejects(m2m(wat, 'echo'), { name: 'ValidationException', status: 400, message: 'Credential provider flaky refused the request: invalid_request (Bad request: [redacted]).' });
  fake.mode = 'ok';
  for (const line of m.logLines) assert.ok(!line.includes(fake.clientSecret), `log line leaks the client secret: ${line}`);
});

test('code exchange echo-secret: the code, verifier and client secret quoted back by the provider are not returned or logged', async () => {
  fake.mode = 'echo-secret';
  let code = '';
  fake.nextCode = () => (code = `code-canary-${Math.random().toString(36).slice(2)}`);
  const { wat, sessionUri, callback } = await federate('echo-user', 'echo-scope');
  await assert.rejects(callback, /with 400/);
  fake.mode = 'ok';
  const verifier = fake.tokenRequests.at(-1)!.get('code_verifier')!;
  const err = await rejects(agent.send(tokenRequest({ providerName: 'flaky', scopes: ['echo-scope'], returnUrl: RETURN_URL }, wat, sessionUri)),
    { name: 'ValidationException', status: 400, message: 'Credential provider flaky refused the request: invalid_request (Bad request: [redacted] [redacted] [redacted]).' });
  for (const s of [code, verifier, fake.clientSecret]) {
    assert.ok(!err.message.includes(s));
    for (const line of m.logLines) assert.ok(!line.includes(s), `log line leaks a secret: ${line}`);
  }
});
