import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForJWTCommand, type BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { demoUserPoolSeed, startUserPoolEmulator, type UserPoolEmulator, type UserPoolSeed } from '@mandate/emulators';
import { collections } from '../src/model.ts';
import { createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from './data-harness.ts';

/**
 * The built-in return page for a user-pool issuer without a hosted sign-in (a Cognito pool with no domain):
 * Mandate shows its own sign-in form and checks the credentials with the pool's InitiateAuth.
 */
let entra: Entra;
let pool: UserPoolEmulator;
let seed: UserPoolSeed;
let m: Mandate;
let agent: BedrockAgentCoreClient;
let clientId = '';
let discoveryUrl = '';

/** Mandate's view of the pool's discovery document without its hosted sign-in endpoints. */
function withoutHostedSignIn(): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== discoveryUrl) return res;
    const doc = (await res.json()) as Record<string, unknown>;
    for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'end_session_endpoint']) delete doc[k];
    return new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

before(async () => {
  entra = await startEntra();
  seed = demoUserPoolSeed();
  pool = await startUserPoolEmulator({ seed });
  const info = pool.poolByName('DemoUserPool')!;
  clientId = info.clients[0]!.clientId;
  discoveryUrl = info.discoveryUrl;
  m = await startMandate({ entraAuthorityBase: entra.emulator.url, fetch: withoutHostedSignIn() });
  await createEntraProvider(m, entra);
  await createWorkload(m, 'pool-agent', [`${m.url}/identities/oauth2/return`], [{ discoveryUrl, allowedClients: [clientId] }]);
  agent = dataClient(m.url, await workloadKey(m, 'pool-agent'));
});
after(async () => {
  await m?.close();
  await pool?.close();
  await entra?.close();
});

const user = (i: number) => seed.pools[0]!.users[i]!;

async function poolAccessToken(i: number): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({ region: 'us-west-2', endpoint: pool.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  const out = await cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: user(i).username, PASSWORD: user(i).password } }));
  return out.AuthenticationResult!.AccessToken!;
}

/** Consent at Entra, then stop at Mandate's return page and return its HTML. */
async function toReturnPage(authorizationUrl: string): Promise<string> {
  let url = new URL(authorizationUrl);
  for (let i = 0; i < 10; i++) {
    if (url.pathname.endsWith('/oauth2/v2.0/authorize')) url.searchParams.set('login_hint', entra.alice);
    const res = await fetch(url, { redirect: 'manual' });
    const loc = res.headers.get('location');
    if (!loc) {
      assert.equal(url.pathname, '/identities/oauth2/return');
      assert.equal(res.status, 200);
      return res.text();
    }
    await res.arrayBuffer();
    url = new URL(loc, url);
  }
  throw new Error('too many redirects');
}

const stateOf = (html: string) => /name="state" value="([^"]+)"/.exec(html)![1]!;

async function submit(state: string, username: string, password: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${m.url}/identities/oauth2/return/login`, { method: 'POST', body: new URLSearchParams({ state, username, password }) });
  return { status: res.status, body: await res.text() };
}

async function startFlow(i: number) {
  const wat = (await agent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'pool-agent', userToken: await poolAccessToken(i) }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: [`api://${entra.appId}/read`], oauth2Flow: 'USER_FEDERATION', forceAuthentication: true, ...(sessionUri ? { sessionUri } : {}) });
  return { req, first: await agent.send(req()) };
}

test('user-pool sign-in form: a wrong password retries, the right user completes the binding', async () => {
  const { req, first } = await startFlow(0);
  const form = await toReturnPage(first.authorizationUrl!);
  assert.match(form, /Confirm it is you/);
  const wrong = await submit(stateOf(form), user(0).username, 'not-the-password');
  assert.equal(wrong.status, 401);
  assert.match(wrong.body, /Incorrect username or password\./);
  // The first form is spent; the retry form carries a new one-time state.
  assert.equal((await submit(stateOf(form), user(0).username, user(0).password)).status, 403);
  const ok = await submit(stateOf(wrong.body), user(0).username, user(0).password);
  assert.equal(ok.status, 200);
  assert.match(ok.body, /Access granted/);
  assert.ok((await agent.send(req(first.sessionUri))).accessToken);
});

test('user-pool sign-in form: another user is refused and nothing is stored', async () => {
  const rows = await m.identity.services.store.count(collections.vaultTokens);
  const { req, first } = await startFlow(0);
  const form = await toReturnPage(first.authorizationUrl!);
  const other = await submit(stateOf(form), user(1).username, user(1).password);
  assert.equal(other.status, 403);
  assert.match(other.body, /Access not granted/);
  assert.equal(await m.identity.services.store.count(collections.vaultTokens), rows);
  await assert.rejects(agent.send(req(first.sessionUri)), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it.' });
});
