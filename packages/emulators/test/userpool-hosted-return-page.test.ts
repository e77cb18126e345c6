/**
 * Mandate's built-in session-binding return page (packages/identity/src/browser/return-page.ts) signs
 * the user in again through the pool's hosted sign-in: the reason the hosted sign-in exists.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForJWTCommand, type BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { demoUserPoolSeed, startUserPoolEmulator, type UserPoolEmulator, type UserPoolSeed } from '../src/userpool/index.ts';
import { createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from '@mandate/identity/test-harness';
import { CookieJar, parseForm, submit } from './userpool-hosted-helpers.ts';

let entra: Entra;
let pool: UserPoolEmulator;
let seed: UserPoolSeed;
let m: Mandate;
let agent: BedrockAgentCoreClient;
let poolId = '';
let clientId = '';

before(async () => {
  entra = await startEntra();
  seed = demoUserPoolSeed();
  pool = await startUserPoolEmulator({ seed });
  const info = pool.poolByName('DemoUserPool')!;
  poolId = info.id;
  clientId = info.clients[0]!.clientId;
  m = await startMandate({ entraAuthorityBase: entra.emulator.url });
  // What the dev stack does: the return page's login URL is a callback URL of the app client.
  await pool.addCallbackUrl(poolId, clientId, `${m.url}/identities/oauth2/return/login`);
  await createEntraProvider(m, entra);
  await createWorkload(m, 'pool-agent', [`${m.url}/identities/oauth2/return`], [{ discoveryUrl: info.discoveryUrl, allowedClients: [clientId] }]);
  agent = dataClient(m.url, await workloadKey(m, 'pool-agent'));
});

after(async () => {
  await m?.close();
  await pool?.close();
  await entra?.close();
});

const user = (i: number) => seed.pools[0]!.users[i]!;

/** Starts a 3LO flow as user `i`, consents at Entra, and follows the return page to the pool's sign-in page. */
async function toPoolSignIn(i: number) {
  const cognito = new CognitoIdentityProviderClient({ region: 'us-west-2', endpoint: pool.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  const signedIn = await cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: user(i).username, PASSWORD: user(i).password } }));
  cognito.destroy();
  const wat = (await agent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'pool-agent', userToken: signedIn.AuthenticationResult!.AccessToken! }))).workloadAccessToken!;
  const req = (sessionUri?: string) => new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat, resourceCredentialProviderName: 'entra', scopes: [`api://${entra.appId}/read`], oauth2Flow: 'USER_FEDERATION',
    forceAuthentication: true, ...(sessionUri ? { sessionUri } : {}),
  });
  const first = await agent.send(req());
  const jar = new CookieJar();
  let url = new URL(first.authorizationUrl!);
  for (let n = 0; n < 10; n++) {
    if (url.pathname.endsWith('/oauth2/v2.0/authorize')) url.searchParams.set('login_hint', entra.alice);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res);
    const loc = res.headers.get('location');
    if (!loc) {
      assert.equal(res.status, 200);
      assert.equal(url.origin + url.pathname, `${pool.url}/${poolId}/oauth2/authorize`);
      assert.equal(url.searchParams.get('redirect_uri'), `${m.url}/identities/oauth2/return/login`);
      return { req, first, jar, url, form: parseForm(await res.text()) };
    }
    await res.arrayBuffer();
    url = new URL(loc, url);
  }
  throw new Error('too many redirects');
}

test('the return page completes the binding after the same user signs in on the hosted page', async () => {
  const { req, first, jar, url, form } = await toPoolSignIn(0);
  const res = await submit(url.href, form, { username: user(0).username, password: user(0).password }, jar);
  assert.equal(res.status, 302);
  const back = await fetch(res.headers.get('location')!);
  assert.equal(back.status, 200);
  assert.match(await back.text(), /<h1>Access granted<\/h1>/);
  assert.ok((await agent.send(req(first.sessionUri))).accessToken);
});

test('another user signing in on the hosted page is refused by the return page', async () => {
  const { req, first, jar, url, form } = await toPoolSignIn(0);
  const res = await submit(url.href, form, { username: user(1).username, password: user(1).password }, jar);
  assert.equal(res.status, 302);
  const back = await fetch(res.headers.get('location')!);
  assert.equal(back.status, 403);
  assert.match(await back.text(), /Access not granted/);
  await assert.rejects(agent.send(req(first.sessionUri)), { name: 'AccessDeniedException' });
});
