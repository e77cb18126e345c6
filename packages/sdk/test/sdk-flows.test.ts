import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CompleteResourceTokenAuthCommand, GetWorkloadAccessTokenCommand, GetWorkloadAccessTokenForJWTCommand, GetWorkloadAccessTokenForUserIdCommand, type BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { CreateApiKeyCredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { AuthorizationDeniedError, MandateIdentityClient, MandateSdkError, requiresAccessToken, requiresApiKey, verifyEntraAccessToken } from '../src/index.ts';
import { consentAs, createEntraProvider, createWorkload, dataClient, REGION, startEntra, startMandate, workloadKey, type Entra, type Mandate } from '@mandate/identity/test-harness';
import type { AccessKeyCredentials } from '@mandate/edge';

const RETURN_URL = 'https://app.example.test/oauth/return';
let entra: Entra;
let m: Mandate;
let key: AccessKeyCredentials;
let agent: BedrockAgentCoreClient;
let client: MandateIdentityClient;
let downstream: string;

before(async () => {
  entra = await startEntra();
  m = await startMandate({ entraAuthorityBase: entra.emulator.url });
  await createEntraProvider(m, entra);
  const discoveryUrl = `${entra.emulator.url}/${entra.tenantId}/v2.0/.well-known/openid-configuration`;
  await createWorkload(m, 'sdk-agent', [RETURN_URL], [{ discoveryUrl, allowedAudience: [entra.appId] }]);
  key = await workloadKey(m, 'sdk-agent', true);
  agent = dataClient(m.url, key);
  client = new MandateIdentityClient({ clientConfig: { endpoint: m.url, region: REGION, credentials: key } });
  downstream = randomUUID();
  entra.emulator.directory.addApp(entra.tenantId, {
    appId: downstream, displayName: 'downstream', signInAudience: 'AzureADMyOrg', redirectUris: [], publicClient: false, clientSecrets: [], certificates: [],
    identifierUris: [`api://${downstream}`], scopes: [{ value: 'files.read', adminConsentRequired: false }], appRoles: [], grantedAppRoles: {}, accessTokenAcceptedVersion: 2,
  });
  entra.emulator.directory.grantAdminConsent(entra.tenantId, entra.appId, [`api://${downstream}/files.read`]);
});
after(async () => {
  await m?.close();
  await entra?.close();
});

const userWat = async (userId: string) => (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'sdk-agent', userId }))).workloadAccessToken!;

/** The user consents a little later, and the application then confirms who is signed in. */
function consentLater(user: string, userId: string, marks: { completedAt?: number; error?: unknown }) {
  return (url: string) => {
    setTimeout(async () => {
      try {
        const back = await consentAs(url, user, RETURN_URL);
        await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: back.searchParams.get('session_id')!, userIdentifier: { userId } }));
        marks.completedAt = Date.now();
      } catch (err) {
        marks.error = err;
      }
    }, 200);
  };
}

test('requiresAccessToken (USER_FEDERATION) returns within tens of ms of the binding, not on a 5 s tick', async () => {
  const marks: { completedAt?: number } = {};
  const wat = await userWat('alice');
  const tool = requiresAccessToken({
    client, providerName: 'entra', authFlow: 'USER_FEDERATION', scopes: [`api://${entra.appId}/read`], callbackUrl: RETURN_URL,
    workloadIdentityToken: () => wat, onAuthUrl: consentLater(entra.alice, 'alice', marks),
  })(async (query: string, token: string) => ({ query, token, at: Date.now() }));
  const out = await tool('q');
  assert.equal(out.query, 'q');
  assert.ok(marks.completedAt);
  // Measured ~10 ms; the bound leaves room for a loaded CI machine and is still far below the SDKs' 5 s tick.
  assert.ok(out.at - marks.completedAt! < 500, `returned ${out.at - marks.completedAt!} ms after completion`);
  const claims = await verifyEntraAccessToken(out.token, { tenantId: entra.tenantId, audience: entra.appId, authorityBase: entra.emulator.url, requiredScopes: ['read'] });
  assert.equal(claims.tid, entra.tenantId);
});

test('a binding mismatch ends the wait at once with AuthorizationDeniedError', async () => {
  const t0 = Date.now();
  const marks: { error?: unknown } = {};
  const tool = requiresAccessToken({
    client, providerName: 'entra', authFlow: 'USER_FEDERATION', scopes: [`api://${entra.appId}/read`], callbackUrl: RETURN_URL, forceAuthentication: true,
    workloadIdentityToken: await userWat('alice'), onAuthUrl: consentLater(entra.bob, 'bob', marks),
  })(async (token: string) => token);
  await assert.rejects(tool(), (e: unknown) => {
    assert.ok(e instanceof AuthorizationDeniedError);
    assert.equal(e.code, 'access_denied');
    assert.equal(e.message, 'The user who completed the authorization is not the user who started it.');
    return true;
  });
  assert.ok(Date.now() - t0 < 3000);
  assert.equal((marks.error as Error).name, 'AccessDeniedException');
});

test('M2M, on-behalf-of and API keys through the SDK', async () => {
  const wat = (await agent.send(new GetWorkloadAccessTokenCommand({ workloadName: 'sdk-agent' }))).workloadAccessToken!;
  const m2m = await requiresAccessToken({ client, providerName: 'entra', authFlow: 'M2M', scopes: [`api://${downstream}/.default`], workloadIdentityToken: wat })(async (t: string) => t)();
  assert.equal((await verifyEntraAccessToken(m2m, { tenantId: entra.tenantId, audience: downstream, authorityBase: entra.emulator.url })).azp, entra.appId);

  // The user's own token for the agent API (from a USER_FEDERATION consent), then OBO to the downstream API.
  const userToken = await requiresAccessToken({
    client, providerName: 'entra', authFlow: 'USER_FEDERATION', scopes: [`api://${entra.appId}/read`], callbackUrl: RETURN_URL, forceAuthentication: true,
    workloadIdentityToken: await userWat('carol'), onAuthUrl: consentLater(entra.alice, 'carol', {}),
  })(async (t: string) => t)();
  const jwtWat = (await agent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'sdk-agent', userToken }))).workloadAccessToken!;
  const obo = await requiresAccessToken({ client, providerName: 'entra', authFlow: 'ON_BEHALF_OF_TOKEN_EXCHANGE', scopes: [`api://${downstream}/files.read`], workloadIdentityToken: jwtWat })(async (t: string) => t)();
  assert.equal((await verifyEntraAccessToken(obo, { tenantId: entra.tenantId, audience: downstream, authorityBase: entra.emulator.url, requiredScopes: ['files.read'] })).scp, 'files.read');

  await m.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'weather', apiKey: 'wk-0123456789abcdef' }));
  assert.equal(await requiresApiKey({ client, providerName: 'weather', workloadIdentityToken: wat })(async (k: string) => k)(), 'wk-0123456789abcdef');
  await assert.rejects(requiresApiKey({ client, providerName: 'nope', workloadIdentityToken: wat })(async (k: string) => k)(), (e: unknown) => {
    assert.ok(e instanceof MandateSdkError);
    assert.equal(e.code, 'not_found');
    return true;
  });
  await assert.rejects(requiresApiKey({ client, providerName: 'weather' })(async (k: string) => k)(), { name: 'MandateSdkError', code: 'no_workload_token' });
});

test('the SDK follows AWS_ENDPOINT_URL_BEDROCK_AGENTCORE like the official SDKs', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: m.url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
  try {
    const wat = (await agent.send(new GetWorkloadAccessTokenCommand({ workloadName: 'sdk-agent' }))).workloadAccessToken!;
    assert.equal(await requiresApiKey({ providerName: 'weather', workloadIdentityToken: wat })(async (k: string) => k)(), 'wk-0123456789abcdef');
  } finally {
    process.env = saved;
  }
});

test('verifyEntraAccessToken refuses a wrong audience, tenant or scope', async () => {
  const wat = (await agent.send(new GetWorkloadAccessTokenCommand({ workloadName: 'sdk-agent' }))).workloadAccessToken!;
  const token = await requiresAccessToken({ client, providerName: 'entra', authFlow: 'M2M', scopes: [`api://${downstream}/.default`], workloadIdentityToken: wat })(async (t: string) => t)();
  const base = { tenantId: entra.tenantId, audience: downstream, authorityBase: entra.emulator.url };
  for (const bad of [{ ...base, audience: entra.appId }, { ...base, tenantId: randomUUID() }, { ...base, requiredScopes: ['files.read'] }]) {
    await assert.rejects(verifyEntraAccessToken(token, bad), { name: 'MandateSdkError', code: 'access_denied' });
  }
});
