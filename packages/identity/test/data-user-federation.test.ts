import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { verifyEntraAccessToken } from '@mandate/sdk';
import { collections } from '../src/model.ts';
import { consentAs, createEntraProvider, createWorkload, dataClient, REGION, startEntra, startMandate, workloadKey, type Entra, type Mandate } from './data-harness.ts';

const RETURN_URL = 'https://app.example.test/oauth/return';
let entra: Entra;
let m: Mandate;
let agent: BedrockAgentCoreClient;

before(async () => {
  entra = await startEntra();
  m = await startMandate({ entraAuthorityBase: entra.emulator.url });
  await createEntraProvider(m, entra);
  await createWorkload(m, 'notebook-agent', [RETURN_URL]);
  await createWorkload(m, 'other-agent', [RETURN_URL]);
  agent = dataClient(m.url, await workloadKey(m, 'notebook-agent', true));
});
after(async () => {
  await m?.close();
  await entra?.close();
});

async function watFor(userId: string, client = agent, workloadName = 'notebook-agent'): Promise<string> {
  return (await client.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId }))).workloadAccessToken!;
}

function tokenRequest(wat: string, extra: Record<string, unknown> = {}) {
  return new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat,
    resourceCredentialProviderName: 'entra',
    scopes: [`api://${entra.appId}/read`],
    oauth2Flow: 'USER_FEDERATION',
    resourceOauth2ReturnUrl: RETURN_URL,
    ...extra,
  });
}

async function vaultRows(): Promise<number> {
  return m.identity.services.store.count(collections.vaultTokens);
}

test('USER_FEDERATION with session binding through the official data-plane client', async () => {
  const wat = await watFor('alice-1');
  const first = await agent.send(tokenRequest(wat, { customState: 'csrf-123', forceAuthentication: true }));
  assert.equal(first.accessToken, undefined);
  assert.equal(first.sessionStatus, 'IN_PROGRESS');
  assert.match(first.sessionUri!, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  // The URL's request_uri is its own handle: holding the URL does not reveal the sessionUri (consent phishing).
  assert.match(first.authorizationUrl!, new RegExp(`^${m.url}/identities/oauth2/authorize\\?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A[A-Za-z0-9_-]{43}$`));
  assert.notEqual(new URL(first.authorizationUrl!).searchParams.get('request_uri'), first.sessionUri);

  const pending = await agent.send(tokenRequest(wat, { sessionUri: first.sessionUri }));
  assert.deepEqual([pending.accessToken, pending.sessionStatus, pending.sessionUri], [undefined, 'IN_PROGRESS', first.sessionUri]);

  // The provider leg: Mandate sends the browser to Entra with PKCE S256, state and nonce.
  const toProvider = await fetch(first.authorizationUrl!, { redirect: 'manual' });
  assert.equal(toProvider.status, 302);
  const providerUrl = new URL(toProvider.headers.get('location')!);
  assert.equal(providerUrl.origin + providerUrl.pathname, `${entra.emulator.url}/${entra.tenantId}/oauth2/v2.0/authorize`);
  assert.equal(providerUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(providerUrl.searchParams.get('scope'), `api://${entra.appId}/read offline_access`);
  assert.ok(providerUrl.searchParams.get('state')!.length >= 43);
  assert.ok(providerUrl.searchParams.get('nonce'));

  const back = await consentAs(first.authorizationUrl!, entra.alice, RETURN_URL);
  assert.equal(back.searchParams.get('session_id'), first.sessionUri);
  assert.equal(back.searchParams.get('state'), 'csrf-123');

  // Consent is done but the binding is not: still no token, nothing in the vault.
  const beforeBinding = await agent.send(tokenRequest(wat, { sessionUri: first.sessionUri }));
  assert.equal(beforeBinding.accessToken, undefined);
  assert.equal(await vaultRows(), 0);

  assert.deepEqual(
    (await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: 'alice-1' } }))).$metadata.httpStatusCode,
    200,
  );
  const done = await agent.send(tokenRequest(wat, { sessionUri: first.sessionUri }));
  const claims = await verifyEntraAccessToken(done.accessToken!, { tenantId: entra.tenantId, audience: entra.appId, authorityBase: entra.emulator.url, requiredScopes: ['read'] });
  assert.equal(claims.scp, 'read');
  assert.equal(claims.tid, entra.tenantId);
  assert.equal(claims.aud, entra.appId);
  assert.equal(await vaultRows(), 1);

  // Next time the vault answers at once, with a fresh WAT for the same user.
  const again = await agent.send(tokenRequest(await watFor('alice-1')));
  assert.equal(again.accessToken, done.accessToken);

  // Double completion and a replayed callback change nothing.
  await assert.rejects(agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: 'alice-1' } })), {
    name: 'AccessDeniedException', message: 'Invalid or expired session.',
  });
  assert.equal(await vaultRows(), 1);
  // No secret reached the log.
  for (const line of m.logLines) assert.ok(!line.includes(done.accessToken!) && !line.includes(wat) && !line.includes(entra.clientSecret));
});

test('user A starts, user B consents and completes: nothing stored, A\'s agent gets an error', async () => {
  const rowsBefore = await vaultRows();
  const wat = await watFor('alice-2');
  const first = await agent.send(tokenRequest(wat));
  // A forwards the URL; B opens it and consents as B; B's app session completes as B.
  const back = await consentAs(first.authorizationUrl!, entra.bob, RETURN_URL);
  await assert.rejects(agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: back.searchParams.get('session_id')!, userIdentifier: { userId: 'bob-2' } })), {
    name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it. Nothing was stored.',
  });
  assert.equal(await vaultRows(), rowsBefore);
  await assert.rejects(agent.send(tokenRequest(wat, { sessionUri: first.sessionUri })), {
    name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it.',
  });
  // The right user cannot rescue a failed session either.
  await assert.rejects(agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: 'alice-2' } })), {
    name: 'AccessDeniedException', message: 'Invalid or expired session.',
  });
  assert.equal(await vaultRows(), rowsBefore);
});

test('attacks on the flow are refused with precise errors', async () => {
  const wat = await watFor('alice-3');
  await assert.rejects(agent.send(tokenRequest(wat, { resourceOauth2ReturnUrl: `${RETURN_URL}/` })), {
    name: 'ValidationException', message: 'resourceOauth2ReturnUrl is not one of the allowedResourceOauth2ReturnUrls of workload identity notebook-agent.',
  });
  await assert.rejects(agent.send(tokenRequest(wat, { resourceOauth2ReturnUrl: undefined })), { name: 'ValidationException' });
  await assert.rejects(agent.send(tokenRequest('mwat1.forged.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA')), {
    name: 'AccessDeniedException', message: 'The workload access token is invalid or expired.',
  });
  // A WAT of another workload, presented by this workload's key.
  const otherWat = await watFor('alice-3', m.data, 'other-agent');
  await assert.rejects(agent.send(tokenRequest(otherWat)), { name: 'AccessDeniedException', message: 'This access key may not act for workload identity other-agent.' });
  const first = await agent.send(tokenRequest(wat));
  // Polling with another user's WAT, or completing from another workload's key.
  await assert.rejects(agent.send(tokenRequest(await watFor('mallory'), { sessionUri: first.sessionUri })), { name: 'AccessDeniedException', message: 'Invalid or expired session.' });
  const back = await consentAs(first.authorizationUrl!, entra.alice, RETURN_URL);
  const other = dataClient(m.url, await workloadKey(m, 'other-agent'));
  await assert.rejects(other.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: 'alice-3' } })), { name: 'AccessDeniedException', message: 'Invalid or expired session.' });
  // The spent authorization URL and a replayed callback are refused.
  const reopen = await fetch(first.authorizationUrl!, { redirect: 'manual' });
  assert.equal(reopen.status, 403);
  assert.match(await reopen.text(), /Invalid or expired session\./);
  // Unknown session URIs are never dereferenced.
  const foreign = await fetch(`${m.url}/identities/oauth2/authorize?request_uri=${encodeURIComponent('http://127.0.0.1:1/x')}`, { redirect: 'manual' });
  assert.equal(foreign.status, 403);
  // Still completable by the right user after all that.
  await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: back.searchParams.get('session_id')!, userIdentifier: { userId: 'alice-3' } }));
  assert.ok((await agent.send(tokenRequest(wat, { sessionUri: first.sessionUri }))).accessToken);
});

test('the unmodified bedrock-agentcore withAccessToken gets the token after consent and binding', async () => {
  const wat = await watFor('alice-4');
  const creds = await workloadKey(m, 'notebook-agent');
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: m.url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    const { withAccessToken } = await import('bedrock-agentcore/identity');
    let urls = 0;
    const tool = withAccessToken({
      workloadIdentityToken: wat,
      providerName: 'entra',
      scopes: [`api://${entra.appId}/read`],
      authFlow: 'USER_FEDERATION',
      callbackUrl: RETURN_URL,
      forceAuthentication: true,
      onAuthUrl: async (url: string) => {
        urls++;
        // The user consents; the application confirms who is signed in.
        const back = await consentAs(url, entra.alice, RETURN_URL);
        await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: back.searchParams.get('session_id')!, userIdentifier: { userId: 'alice-4' } }));
      },
    })(async (input: string, token: string) => ({ input, token }));
    const out = await tool('hello');
    assert.equal(urls, 1);
    assert.equal(out.input, 'hello');
    const claims = await verifyEntraAccessToken(out.token, { tenantId: entra.tenantId, audience: entra.appId, authorityBase: entra.emulator.url });
    assert.equal(claims.scp, 'read');
  } finally {
    process.env = saved;
  }
});
