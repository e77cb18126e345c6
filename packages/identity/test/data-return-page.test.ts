import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { collections } from '../src/model.ts';
import { consentAs, createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from './data-harness.ts';

/**
 * The built-in return page: after consent Mandate signs the user in with the workload's inbound IdP and
 * completes the binding itself when (iss, sub) match the user who started the flow.
 */
const APP_RETURN = 'https://app.example.test/oauth/return';
let entra: Entra;
let m: Mandate;
let agent: BedrockAgentCoreClient;
let helper: BedrockAgentCoreClient;

before(async () => {
  entra = await startEntra();
  m = await startMandate({ entraAuthorityBase: entra.emulator.url });
  await createEntraProvider(m, entra);
  const discoveryUrl = `${entra.emulator.url}/${entra.tenantId}/v2.0/.well-known/openid-configuration`;
  await createWorkload(m, 'rp-agent', [`${m.url}/identities/oauth2/return`], [{ discoveryUrl, allowedAudience: [entra.appId] }]);
  entra.emulator.directory.addRedirectUri(entra.tenantId, entra.appId, `${m.url}/identities/oauth2/return/login`);
  agent = dataClient(m.url, await workloadKey(m, 'rp-agent'));
  // A second workload with an application return URL, only to obtain users' Entra tokens for the agent's API.
  await createWorkload(m, 'token-helper', [APP_RETURN]);
  helper = dataClient(m.url, await workloadKey(m, 'token-helper', true));
});
after(async () => {
  await m?.close();
  await entra?.close();
});

const SCOPES = () => [`api://${entra.appId}/read`];

/** The user's own Entra access token for the agent's API (what a front end would hold after sign-in). */
async function userTokenOf(user: string, id: string): Promise<string> {
  const wat = (await helper.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'token-helper', userId: id }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: APP_RETURN, ...(sessionUri ? { sessionUri } : {}) });
  const first = await helper.send(req());
  await consentAs(first.authorizationUrl!, user, APP_RETURN);
  await helper.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userId: id } }));
  return (await helper.send(req(first.sessionUri))).accessToken!;
}

/** Follows the whole browser journey (consent as `consentUser`, then the return-page sign-in as `loginUser`). */
async function browse(authorizationUrl: string, consentUser: string, loginUser: string): Promise<{ status: number; body: string; visited: string[] }> {
  let url = new URL(authorizationUrl);
  const visited: string[] = [];
  let authorizes = 0;
  for (let i = 0; i < 15; i++) {
    if (url.pathname.endsWith('/oauth2/v2.0/authorize')) url.searchParams.set('login_hint', authorizes++ === 0 ? consentUser : loginUser);
    visited.push(url.origin === m.url ? url.pathname : `entra:${url.pathname.split('/').slice(2).join('/')}`);
    const res = await fetch(url, { redirect: 'manual' });
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) return { status: res.status, body: await res.text(), visited };
    await res.arrayBuffer();
    url = new URL(loc, url);
  }
  throw new Error('too many redirects');
}

test('the built-in return page signs the user in and completes the binding itself', async () => {
  const userToken = await userTokenOf(entra.alice, 'alice-helper');
  const wat = (await agent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'rp-agent', userToken }))).workloadAccessToken!;
  // No resourceOauth2ReturnUrl: the built-in page is allowed for this workload, so it is the default.
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', ...(sessionUri ? { sessionUri } : {}) });
  const first = await agent.send(req());
  const journey = await browse(first.authorizationUrl!, entra.alice, entra.alice);
  assert.deepEqual(journey.visited.map((v) => v.replace(/callback\/[0-9a-f-]+/, 'callback/ID')), [
    '/identities/oauth2/authorize', 'entra:oauth2/v2.0/authorize', '/identities/oauth2/callback/ID', '/identities/oauth2/return',
    'entra:oauth2/v2.0/authorize', '/identities/oauth2/return/login',
  ]);
  assert.equal(journey.status, 200);
  assert.match(journey.body, /Access granted/);
  assert.match(journey.body, new RegExp(`Signed in as ${entra.alice.replace('.', '\\.')}`));
  const done = await agent.send(req(first.sessionUri));
  assert.ok(done.accessToken);
});

test('the built-in return page refuses another user and stores nothing', async () => {
  const userToken = await userTokenOf(entra.alice, 'alice-helper-2');
  const rows = await m.identity.services.store.count(collections.vaultTokens);
  const wat = (await agent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'rp-agent', userToken }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', forceAuthentication: true, ...(sessionUri ? { sessionUri } : {}) });
  const first = await agent.send(req());
  // Alice forwarded the URL: Bob consents and Bob is the one signed in at the return page.
  const journey = await browse(first.authorizationUrl!, entra.bob, entra.bob);
  assert.equal(journey.status, 403);
  assert.match(journey.body, /Access not granted/);
  assert.equal(await m.identity.services.store.count(collections.vaultTokens), rows);
  await assert.rejects(agent.send(req(first.sessionUri)), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it.' });
});

test('CompleteResourceTokenAuth({userToken}) binds on (iss, sub): a fresh token of the same user works, another user\'s does not', async () => {
  const discoveryUrl = `${entra.emulator.url}/${entra.tenantId}/v2.0/.well-known/openid-configuration`;
  await createWorkload(m, 'jwt-agent', [APP_RETURN], [{ discoveryUrl, allowedAudience: [entra.appId] }]);
  const jwtAgent = dataClient(m.url, await workloadKey(m, 'jwt-agent'));
  const original = await userTokenOf(entra.alice, 'alice-jwt-1');
  const wat = (await jwtAgent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'jwt-agent', userToken: original }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: SCOPES(), oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: APP_RETURN, ...(sessionUri ? { sessionUri } : {}) });

  const first = await jwtAgent.send(req());
  await consentAs(first.authorizationUrl!, entra.alice, APP_RETURN);
  // The app's current token for Alice is a different string than the one that minted the WAT.
  const fresh = await userTokenOf(entra.alice, 'alice-jwt-2');
  assert.notEqual(fresh, original);
  const bobs = await userTokenOf(entra.bob, 'bob-jwt');
  const tampered = `${fresh.slice(0, fresh.lastIndexOf('.'))}.AAAA`;
  await assert.rejects(jwtAgent.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userToken: tampered } })), {
    name: 'AccessDeniedException', message: 'The user token could not be verified for this workload.',
  });
  await jwtAgent.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userToken: fresh } }));
  assert.ok((await jwtAgent.send(req(first.sessionUri))).accessToken);

  const second = await jwtAgent.send(new GetResourceOauth2TokenCommand({ ...req().input, forceAuthentication: true }));
  await consentAs(second.authorizationUrl!, entra.bob, APP_RETURN);
  await assert.rejects(jwtAgent.send(new CompleteResourceTokenAuthCommand({ sessionUri: second.sessionUri!, userIdentifier: { userToken: bobs } })), {
    name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it. Nothing was stored.',
  });
  await assert.rejects(jwtAgent.send(req(second.sessionUri)), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it.' });
});
