import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { CreateAgentRuntimeCommand, CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { decodeJwt } from 'jose';
import { startEntraEmulator, type EntraEmulator, type EntraSeed } from '@mandate/emulators';
import { completeAuthorization } from '@mandate/emulators';
import { trustCa } from '@mandate/emulators';
import { verifyWorkloadAccessToken } from '@mandate/identity/testing';
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { createAccessKey } from '@mandate/edge';
import { agentDir, baseRuntime, bearerInvoke, codeArtifact, REGION, sessionId, sseEvents, startMandate, type Mandate } from './harness.ts';

const tenantId = randomUUID();
const domain = 'contoso.onmicrosoft.com';
const clientId = randomUUID();
const intruderId = randomUUID();
const apiId = randomUUID();
const secret = randomBytes(24).toString('base64url');
const redirectUri = 'http://localhost:8400/callback';
const people = { alice: { username: `alice@${domain}`, password: 'alice-Passw0rd!' }, bob: { username: `bob@${domain}`, password: 'bob-Passw0rd!' } };
const seed: EntraSeed = {
  tenants: [{
    id: tenantId, displayName: 'Contoso', domains: [domain],
    users: [{ ...people.alice, displayName: 'Alice' }, { ...people.bob, displayName: 'Bob' }],
    apps: [
      { appId: clientId, displayName: 'agent-frontend', signInAudience: 'AzureADMyOrg', redirectUris: [redirectUri], clientSecrets: [{ value: secret }], grantedAppRoles: { [apiId]: ['Agent.Call'] } },
      { appId: intruderId, displayName: 'some-other-app', signInAudience: 'AzureADMyOrg', redirectUris: [redirectUri], clientSecrets: [{ value: secret }] },
      { appId: apiId, displayName: 'agent-api', identifierUris: [`api://${apiId}`], scopes: [{ value: 'invoke' }], appRoles: [{ value: 'Agent.Call' }], accessTokenAcceptedVersion: 2 },
    ],
  }],
};

let emu: EntraEmulator;
let m: Mandate;
let arn: string;
let caFile: string;
const tokens: Record<string, string> = {};

async function userToken(appId: string, who: { username: string; password: string }): Promise<string> {
  const app = new ConfidentialClientApplication({ auth: { clientId: appId, clientSecret: secret, authority: `${emu.url}/${tenantId}`, knownAuthorities: [new URL(emu.url).host] } });
  const url = await app.getAuthCodeUrl({ scopes: [`api://${apiId}/invoke`], redirectUri, loginHint: who.username });
  const code = (await completeAuthorization(url, who)).searchParams.get('code')!;
  return (await app.acquireTokenByCode({ code, scopes: [`api://${apiId}/invoke`], redirectUri })).accessToken;
}

before(async () => {
  emu = await startEntraEmulator({ seed, headless: true });
  trustCa(emu.caCertPem);
  caFile = join(mkdtempSync(join(tmpdir(), 'mandate-ca-')), 'ca.pem');
  writeFileSync(caFile, emu.caCertPem);
  tokens.alice = await userToken(clientId, people.alice);
  tokens.bob = await userToken(clientId, people.bob);
  tokens.intruder = await userToken(intruderId, people.alice);
  m = await startMandate({ startTimeoutMs: 60_000, agentEnv: { NODE_EXTRA_CA_CERTS: caFile } }, { entraAuthorityBase: emu.url });
  arn = (await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'entra_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    authorizerConfiguration: { customJWTAuthorizer: {
      discoveryUrl: `${emu.url}/${tenantId}/v2.0/.well-known/openid-configuration`,
      allowedAudience: [apiId, `api://${apiId}`], allowedClients: [clientId], allowedScopes: ['invoke'],
    } },
    requestHeaderConfiguration: { requestHeaderAllowlist: ['Authorization'] },
  }))).agentRuntimeArn!;
});
after(async () => {
  await m?.close();
  await emu?.close();
});

test('Entra v2 user tokens (azp, scp, tenant issuer): alice and bob each get their own session and WAT', async () => {
  const pids: number[] = [];
  for (const who of ['alice', 'bob'] as const) {
    const claims = decodeJwt(tokens[who]!);
    assert.equal(claims.azp, clientId);
    const res = await bearerInvoke(m, arn, tokens[who], { op: 'whoami' }, { sessionId: sessionId(who) });
    assert.equal(res.status, 200);
    const events = sseEvents(await res.text()) as Array<Record<string, unknown>>;
    const wat = await verifyWorkloadAccessToken(m.identity.services, String(events[1]!.wat));
    assert.deepEqual(wat.user, { kind: 'jwt', issuer: claims.iss, subject: claims.sub });
    pids.push(Number(events[1]!.pid));
  }
  assert.notEqual(pids[0], pids[1]);
});

test('a token issued to another Entra app (azp not allowed) gets 401', async () => {
  assert.equal(decodeJwt(tokens.intruder!).azp, intruderId);
  const res = await bearerInvoke(m, arn, tokens.intruder, { op: 'whoami' });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('x-amzn-errortype'), 'UnauthorizedException');
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
});

test('the global-variable agent keeps alice and bob apart across 50 interleaved invocations', async () => {
  const sids = { alice: sessionId('ga'), bob: sessionId('gb') };
  const calls = Array.from({ length: 50 }, (_, i) => (i % 2 ? 'bob' : 'alice') as 'alice' | 'bob');
  const got = await Promise.all(calls.map(async (who) => {
    const res = await bearerInvoke(m, arn, tokens[who], { op: 'remember' }, { sessionId: sids[who], headers: { accept: 'application/json' } });
    return ((await res.json()) as { token: string }).token;
  }));
  calls.forEach((who, i) => assert.equal(got[i], `Bearer ${tokens[who]}`, `call ${i} (${who})`));
});

test('tenant-independent metadata (/organizations, issuer {tenantid}) resolves the issuer from tid', async () => {
  const multi = (await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'entra_multi', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: `${emu.url}/organizations/v2.0/.well-known/openid-configuration`, allowedAudience: [apiId, `api://${apiId}`], allowedClients: [clientId] } },
  }))).agentRuntimeArn!;
  const res = await bearerInvoke(m, multi, tokens.bob, { op: 'remember' }, { headers: { accept: 'application/json' } });
  assert.equal(res.status, 200, await res.clone().text());
  const denied = await bearerInvoke(m, multi, tokens.intruder, { op: 'remember' });
  assert.equal(denied.status, 401);
});

test('withAccessToken (M2M) in the agent gets an Entra client-credentials token through Mandate\'s vault', async () => {
  await m.control.send(new CreateOauth2CredentialProviderCommand({
    name: 'entra-m2m', credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId, clientSecret: secret, tenantId } },
  }));
  const res = await bearerInvoke(m, arn, tokens.alice, { op: 'm2m', providerName: 'entra-m2m', scopes: [`api://${apiId}/.default`] }, { headers: { accept: 'application/json' } });
  assert.equal(res.status, 200, await res.clone().text());
  const { accessToken } = (await res.json()) as { accessToken: string };
  const claims = decodeJwt(accessToken);
  assert.equal(claims.aud, apiId);
  assert.equal(claims.azp, clientId);
  assert.deepEqual(claims.roles, ['Agent.Call']);
});

test('agent A calls agent B with withWatPropagation: B acts for the same Entra user and holds that user\'s token; forged and foreign WATs are refused', async () => {
  const b = await m.control.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'downstream_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime }));
  const bSession = sessionId('chainB');
  const res = await bearerInvoke(m, arn, tokens.alice, { op: 'callAgent', arn: b.agentRuntimeArn, sessionId: bSession }, { sessionId: sessionId('chainA'), headers: { accept: 'application/json' } });
  assert.equal(res.status, 200);
  const out = await res.json() as { status: number; downstream: string };
  assert.equal(out.status, 200, JSON.stringify(out));
  const events = sseEvents(out.downstream) as Array<Record<string, unknown>>;
  const watB = await verifyWorkloadAccessToken(m.identity.services, String(events[1]!.wat));
  const alice = decodeJwt(tokens.alice!);
  assert.equal(watB.workloadName, b.agentRuntimeId, "B's WAT is for B's own workload");
  assert.deepEqual(watB.user, { kind: 'jwt', issuer: alice.iss, subject: alice.sub }, 'and for the user A acted for');
  assert.equal(watB.userToken, tokens.alice, "alice's Entra token travels on, sealed, for B's on-behalf-of exchange");

  // Bob's chain cannot reach alice's session of B.
  const bob = await bearerInvoke(m, arn, tokens.bob, { op: 'callAgent', arn: b.agentRuntimeArn, sessionId: bSession }, { sessionId: sessionId('chainBob'), headers: { accept: 'application/json' } });
  assert.deepEqual(await bob.json(), { error: 'AccessDeniedException', message: 'This runtime session belongs to another user. Use a new runtime session id.' });

  // A forged WAT, and a real one passed on by a workload it was not issued to.
  const withHeader = (client: BedrockAgentCoreClient, wat: string) => {
    client.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amz-bedrock-agentcore-identity-wat'] = wat;
      return next(args);
    }, { step: 'build', name: 'testWat' });
    return client;
  };
  const invokeB = (client: BedrockAgentCoreClient) => client.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: b.agentRuntimeArn!, runtimeSessionId: sessionId('forged'), payload: new TextEncoder().encode('{"op":"whoami"}'), contentType: 'application/json' }));
  const refused = async (p: Promise<unknown>, message: string) => assert.rejects(p, (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, message);
    assert.equal(e.$metadata.httpStatusCode, 403);
    return true;
  });
  const forged = withHeader(new BedrockAgentCoreClient({ endpoint: m.url, region: REGION, credentials: m.admin, maxAttempts: 1 }), `${String(events[1]!.wat).slice(0, -6)}AAAAAA`);
  await refused(invokeB(forged), 'The workload access token is invalid or expired.');
  const stranger = await createAccessKey(m.identity.services, { role: 'workload', workloadName: 'some-other-workload' });
  const foreign = withHeader(new BedrockAgentCoreClient({ endpoint: m.url, region: REGION, credentials: stranger, maxAttempts: 1 }), String(events[1]!.wat));
  await refused(invokeB(foreign), 'The propagated workload access token was not issued to the calling workload.');
  forged.destroy();
  foreign.destroy();
});
