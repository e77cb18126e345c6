import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceApiKeyCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';
import { CreateApiKeyCredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { decodeJwt } from 'jose';
import { verifyEntraAccessToken } from '@mandate/sdk';
import { consentAs, countingFetch, createEntraProvider, createWorkload, dataClient, startEntra, startMandate, workloadKey, type Entra, type Mandate } from './data-harness.ts';

const RETURN_URL = 'https://app.example.test/oauth/return';
let entra: Entra;
let m: Mandate;
let agent: BedrockAgentCoreClient;
let downstreamAppId: string;

before(async () => {
  entra = await startEntra();
  m = await startMandate({ entraAuthorityBase: entra.emulator.url, fetch: countingFetch(entra) });
  await createEntraProvider(m, entra);
  const discoveryUrl = `${entra.emulator.url}/${entra.tenantId}/v2.0/.well-known/openid-configuration`;
  await createWorkload(m, 'obo-agent', [RETURN_URL], [{ discoveryUrl, allowedAudience: [entra.appId] }]);
  agent = dataClient(m.url, await workloadKey(m, 'obo-agent', true));
  // A downstream API the agent's app may call on the user's behalf (admin-consented), and app roles for M2M.
  downstreamAppId = randomUUID();
  const d = entra.emulator.directory;
  d.addApp(entra.tenantId, {
    appId: downstreamAppId, displayName: 'downstream-api', signInAudience: 'AzureADMyOrg', redirectUris: [], publicClient: false, clientSecrets: [],
    certificates: [], identifierUris: [`api://${downstreamAppId}`], scopes: [{ value: 'files.read', adminConsentRequired: false }],
    appRoles: [{ value: 'jobs.run' }], grantedAppRoles: {}, accessTokenAcceptedVersion: 2,
  });
  d.grantAdminConsent(entra.tenantId, entra.appId, [`api://${downstreamAppId}/files.read`]);
});
after(async () => {
  await m?.close();
  await entra?.close();
});

const wat = async () => (await agent.send(new GetWorkloadAccessTokenCommand({ workloadName: 'obo-agent' }))).workloadAccessToken!;

test('M2M: client credentials with Entra /.default, cached, one upstream call for 100 parallel cold callers', async () => {
  const w = await wat();
  const before = entra.tokenCalls.get('client_credentials') ?? 0;
  const results = await Promise.all(Array.from({ length: 100 }, () => agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: w, resourceCredentialProviderName: 'entra', scopes: [`api://${downstreamAppId}/jobs.run`], oauth2Flow: 'M2M',
  }))));
  assert.equal((entra.tokenCalls.get('client_credentials') ?? 0) - before, 1);
  assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
  const claims = await verifyEntraAccessToken(results[0]!.accessToken!, { tenantId: entra.tenantId, audience: downstreamAppId, authorityBase: entra.emulator.url });
  assert.equal(claims.azp, entra.appId);
  assert.equal(claims.scp, undefined);
  // Later calls are served from the cache.
  await agent.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: w, resourceCredentialProviderName: 'entra', scopes: [`api://${downstreamAppId}/.default`], oauth2Flow: 'M2M' }));
  assert.equal((entra.tokenCalls.get('client_credentials') ?? 0) - before, 1);
});

test('M2M provider errors come back typed, never as a 500', async () => {
  await assert.rejects(agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: await wat(), resourceCredentialProviderName: 'entra', scopes: ['api://no-such-api/.default'], oauth2Flow: 'M2M',
  })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.ok(['ValidationException', 'AccessDeniedException'].includes(e.name), e.name);
    assert.match(e.message, /^Credential provider entra refused the request: \w+ \(AADSTS\d+/);
    assert.ok(e.$metadata!.httpStatusCode! < 500);
    return true;
  });
  await assert.rejects(agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: await wat(), resourceCredentialProviderName: 'nope', scopes: ['x'], oauth2Flow: 'M2M',
  })), { name: 'ResourceNotFoundException', message: 'Credential provider nope does not exist.' });
});

test('ON_BEHALF_OF_TOKEN_EXCHANGE: a user signed in with Entra gets a downstream token without a second consent', async () => {
  // The user's Entra token for the agent's API (aud = the provider's app), obtained by signing in once.
  const uf = await agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'obo-agent', userId: 'alice' }))).workloadAccessToken!,
    resourceCredentialProviderName: 'entra', scopes: [`api://${entra.appId}/read`], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
  }));
  await consentAs(uf.authorizationUrl!, entra.alice, RETURN_URL);
  await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: uf.sessionUri!, userIdentifier: { userId: 'alice' } }));
  const userToken = (await agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'obo-agent', userId: 'alice' }))).workloadAccessToken!,
    resourceCredentialProviderName: 'entra', scopes: [`api://${entra.appId}/read`], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL, sessionUri: uf.sessionUri,
  }))).accessToken!;

  const userWat = (await agent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'obo-agent', userToken }))).workloadAccessToken!;
  const before = entra.tokenCalls.get('urn:ietf:params:oauth:grant-type:jwt-bearer') ?? 0;
  const req = () => agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: userWat, resourceCredentialProviderName: 'entra', scopes: [`api://${downstreamAppId}/files.read`], oauth2Flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
  }));
  const out = await req();
  const claims = await verifyEntraAccessToken(out.accessToken!, { tenantId: entra.tenantId, audience: downstreamAppId, authorityBase: entra.emulator.url, requiredScopes: ['files.read'] });
  assert.equal(claims.oid, decodeJwt(userToken).oid);
  assert.equal(claims.azp, entra.appId);
  assert.equal((await req()).accessToken, out.accessToken);
  assert.equal((entra.tokenCalls.get('urn:ietf:params:oauth:grant-type:jwt-bearer') ?? 0) - before, 1);

  // A WAT without a user token cannot do OBO; a forged user token gets no WAT.
  await assert.rejects(agent.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: await wat(), resourceCredentialProviderName: 'entra', scopes: [`api://${downstreamAppId}/files.read`], oauth2Flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
  })), { name: 'ValidationException', message: 'ON_BEHALF_OF_TOKEN_EXCHANGE needs a workload access token minted from the user\'s token (GetWorkloadAccessTokenForJWT).' });
  const [h, p] = userToken.split('.');
  await assert.rejects(agent.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'obo-agent', userToken: `${h}.${p}.AAAA` })), {
    name: 'AccessDeniedException', message: 'The user token is not valid for this workload.',
  });
});

test('GetResourceApiKey returns the stored key to the workload, and nothing to others', async () => {
  await m.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'openai', apiKey: 'sk-test-canary-0123456789' }));
  const out = await agent.send(new GetResourceApiKeyCommand({ workloadIdentityToken: await wat(), resourceCredentialProviderName: 'openai' }));
  assert.equal(out.apiKey, 'sk-test-canary-0123456789');
  await assert.rejects(agent.send(new GetResourceApiKeyCommand({ workloadIdentityToken: await wat(), resourceCredentialProviderName: 'missing' })), {
    name: 'ResourceNotFoundException', message: 'API key credential provider missing does not exist.',
  });
  await createWorkload(m, 'intruder-agent', []);
  const intruder = dataClient(m.url, await workloadKey(m, 'intruder-agent'));
  await assert.rejects(intruder.send(new GetResourceApiKeyCommand({ workloadIdentityToken: await wat(), resourceCredentialProviderName: 'openai' })), {
    name: 'AccessDeniedException', message: 'This access key may not act for workload identity obo-agent.',
  });
  for (const line of m.logLines) assert.ok(!line.includes('sk-test-canary-0123456789'));
});
