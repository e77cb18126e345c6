// Item 1: the JWT attack corpus, fired at every verifier of a live Mandate (identity + runtime on one port):
//   - the runtime's customJWTAuthorizer            POST /runtimes/{arn}/invocations with Authorization: Bearer
//   - GetWorkloadAccessTokenForJWT                 official BedrockAgentCoreClient
//   - CompleteResourceTokenAuth({userToken})       official BedrockAgentCoreClient, against a live session
// Every token is signed by a key the test holds, so each case differs from an accepted token in exactly the
// property under attack. Each verifier has a positive control with a valid token first, so a case cannot pass
// because the setup is broken. Workload access tokens (Mandate's own) are attacked in jwt-wat-attacks.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CompleteResourceTokenAuthCommand, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForJWTCommand } from '@aws-sdk/client-bedrock-agentcore';
import { CreateAgentRuntimeCommand, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { collections, type WorkloadIdentityDoc } from '@mandate/identity/testing';
import { sealPending, type AuthSessionDoc } from '@mandate/identity/testing';
import type { InboundJwtConfigInput } from '@mandate/identity/testing';
import { runtimeCollections } from '@mandate/runtime';
import { agentDir, baseRuntime, bearerInvoke, codeArtifact, sessionId, startMandate, type Mandate } from '@mandate/runtime/test-harness';
import {
  b64, hsBlank, hsWithPublicKey, makeKey, signRaw, signRawSegments, startEntraLike, startIssuer, startTripwire, unsecured,
  type EntraLike, type LocalIssuer, type SigningKey, type Tripwire,
} from './helpers/jwt-forge.ts';

type Target = 'local' | 'tenant' | 'common';
const API = 'api://mandate-sec';
const CLIENT = 'client-a';
const ENTRA_API = randomUUID();
const ENTRA_CLIENT = randomUUID();
const RETURN_URL = 'https://app.example.test/return';

let m: Mandate;
let local: LocalIssuer;
let entra: EntraLike;
let issuerKey: SigningKey; // published by the local issuer
let attackerKey: SigningKey; // never published
let tripwire: Tripwire;
const arns = {} as Record<Target, string>;
const workloads: Record<Target, string> = { local: 'jwt-local', tenant: 'jwt-tenant', common: 'jwt-common' };
const configs = {} as Record<Target, { discoveryUrl: string; allowedAudience: string[]; allowedClients: string[] }>;
const sessions = {} as Record<Target, string>;

const now = () => Math.floor(Date.now() / 1000);

function localClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: local.issuer, sub: 'user-1', aud: API, client_id: CLIENT, iat: now(), exp: now() + 3600, ...extra };
}
function entraClaims(server: 'tenant' | 'common', tid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: entra.issuerOf(entra[server], tid), sub: 'entra-user-1', aud: ENTRA_API, azp: ENTRA_CLIENT, tid, ver: '2.0', scp: 'invoke', iat: now(), exp: now() + 3600, ...extra,
  };
}
const localToken = (claims = localClaims(), header: Record<string, unknown> = {}) => signRaw(issuerKey, { alg: 'RS256', kid: issuerKey.kid, typ: 'JWT', ...header }, claims);
const entraToken = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => signRaw(entra.key, { alg: 'RS256', kid: entra.key.kid, typ: 'JWT', ...header }, claims);

async function putWorkload(name: string, inboundJwt: InboundJwtConfigInput[]): Promise<void> {
  await m.control.send(new CreateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: [RETURN_URL] }));
  const rec = await m.identity.services.store.get<WorkloadIdentityDoc>(collections.workloadIdentities, name);
  await m.identity.services.store.put(collections.workloadIdentities, name, { ...rec!.doc, inboundJwt });
}

before(async () => {
  issuerKey = await makeKey('rsa-1');
  attackerKey = await makeKey('attacker-1');
  local = await startIssuer('/pool', [issuerKey.jwk]);
  entra = await startEntraLike();
  m = await startMandate({ startTimeoutMs: 60_000 });
  configs.local = { discoveryUrl: local.discoveryUrl, allowedAudience: [API], allowedClients: [CLIENT] };
  configs.tenant = { discoveryUrl: entra.tenant.discoveryUrl, allowedAudience: [ENTRA_API], allowedClients: [ENTRA_CLIENT] };
  configs.common = { discoveryUrl: entra.common.discoveryUrl, allowedAudience: [ENTRA_API], allowedClients: [ENTRA_CLIENT] };
  tripwire = await startTripwire({ keys: [attackerKey.jwk] });
  await m.control.send(new CreateOauth2CredentialProviderCommand({
    name: 'idle-provider', credentialProviderVendor: 'CustomOauth2',
    oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { authorizationServerMetadata: {
      issuer: 'http://127.0.0.1:9/as', authorizationEndpoint: 'http://127.0.0.1:9/authorize', tokenEndpoint: 'http://127.0.0.1:9/token',
    } } } },
  }));
  for (const t of ['local', 'tenant', 'common'] as const) {
    arns[t] = (await m.control.send(new CreateAgentRuntimeCommand({
      agentRuntimeName: `jwt_${t}`, agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
      authorizerConfiguration: { customJWTAuthorizer: configs[t] },
    }))).agentRuntimeArn!;
    await putWorkload(workloads[t], [configs[t]]);
  }
});
after(async () => {
  await m?.close();
  await local?.close();
  await entra?.close();
  await tripwire?.close();
});

const validFor: Record<Target, () => Promise<string>> = {
  local: () => localToken(),
  tenant: () => entraToken(entraClaims('tenant', entra.tenantA)),
  common: () => entraToken(entraClaims('common', entra.tenantB)),
};

/** Starts a USER_FEDERATION session bound to the valid token's user, for the CompleteResourceTokenAuth cases. */
async function startSession(t: Target): Promise<string> {
  const wat = (await m.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: workloads[t], userToken: await validFor[t]() }))).workloadAccessToken!;
  const r = await m.data.send(new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat, resourceCredentialProviderName: 'idle-provider', scopes: ['read'], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
  }));
  assert.equal(r.sessionStatus, 'IN_PROGRESS');
  return r.sessionUri!;
}

async function sessionVersion(sessionUri: string): Promise<{ version: number; status: string }> {
  const rec = await m.identity.services.store.get<{ status: string }>(collections.authSessions, sessionUri.split(':').pop()!);
  return { version: rec!.version, status: rec!.doc.status };
}

async function runtimeSessionCount(): Promise<number> {
  return (await m.identity.services.store.list(runtimeCollections.runtimeSessions)).items.length;
}

describe('positive controls (each verifier accepts a correct token, so every rejection below is the attack\'s doing)', () => {
  for (const t of ['local', 'tenant', 'common'] as const) {
    test(`runtime authorizer accepts a valid ${t} token`, async () => {
      const res = await bearerInvoke(m, arns[t], await validFor[t](), { op: 'remember' }, { sessionId: sessionId(`ok-${t}`), headers: { accept: 'application/json' } });
      assert.equal(res.status, 200, await res.clone().text());
      await res.arrayBuffer();
    });
    test(`GetWorkloadAccessTokenForJWT accepts a valid ${t} token`, async () => {
      const r = await m.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: workloads[t], userToken: await validFor[t]() }));
      assert.match(r.workloadAccessToken!, /^mwat1\./);
    });
    test(`CompleteResourceTokenAuth verifies a valid ${t} token (the session is not yet awaiting binding, so it answers "Invalid or expired session.")`, async () => {
      sessions[t] = await startSession(t);
      const before = await sessionVersion(sessions[t]);
      await assert.rejects(m.data.send(new CompleteResourceTokenAuthCommand({ sessionUri: sessions[t], userIdentifier: { userToken: await validFor[t]() } })), {
        name: 'AccessDeniedException', message: 'Invalid or expired session.',
      });
      assert.deepEqual(await sessionVersion(sessions[t]), before);
    });
  }
});

interface Attack {
  name: string;
  target: Target;
  token: () => Promise<string> | string;
  /** The runtime's answer when it is not the authorizer's 401 (a header too large for Node's HTTP parser). */
  runtimeStatus?: number;
  /** Checked after every verifier saw the token. */
  after?: () => void;
}

const attacks: Attack[] = [
  // RFC 8725 §2.1, §3.1: the algorithm comes from configuration, never from the token.
  { name: 'alg none with an empty signature', target: 'local', token: () => unsecured({ kid: 'rsa-1' }, localClaims()) },
  { name: 'alg "None" (case variant) with an empty signature', target: 'local', token: () => `${b64({ alg: 'None', kid: 'rsa-1' })}.${b64(localClaims())}.` },
  { name: 'HS256 keyed with the issuer\'s RSA public key PEM (RS/HS confusion)', target: 'local', token: () => hsWithPublicKey(issuerKey, localClaims(), 'pem') },
  { name: 'HS256 keyed with the RSA modulus', target: 'local', token: () => hsWithPublicKey(issuerKey, localClaims(), 'n') },
  { name: 'HS256 with a blank secret', target: 'local', token: () => hsBlank('rsa-1', localClaims()) },
  { name: 'valid token with the signature stripped (null signature)', target: 'local', token: async () => { const t = await localToken(); return t.slice(0, t.lastIndexOf('.') + 1); } },
  { name: 'signature by an unpublished key under the published kid', target: 'local', token: () => signRaw(attackerKey, { alg: 'RS256', kid: 'rsa-1' }, localClaims()) },
  { name: 'ES256 header on an RS256 signature (algorithm/key family mismatch)', target: 'local', token: async () => { const t = await localToken(); const [, p, s] = t.split('.'); return `${b64({ alg: 'ES256', kid: 'rsa-1' })}.${p}.${s}`; } },
  // RFC 8725 §3.10: keys only from the configured jwks_uri; header-supplied keys and URLs are ignored.
  { name: 'jku pointing at an attacker JWKS', target: 'local', token: () => signRaw(attackerKey, { alg: 'RS256', kid: attackerKey.kid, jku: `${tripwire.url}/jwks.json` }, localClaims()), after: () => assert.deepEqual(tripwire.hits, []) },
  { name: 'x5u pointing at an attacker certificate', target: 'local', token: () => signRaw(attackerKey, { alg: 'RS256', kid: attackerKey.kid, x5u: `${tripwire.url}/cert.pem` }, localClaims()), after: () => assert.deepEqual(tripwire.hits, []) },
  { name: 'embedded jwk with the attacker\'s public key (CVE-2018-0114 shape)', target: 'local', token: () => signRaw(attackerKey, { alg: 'RS256', jwk: attackerKey.jwk }, localClaims()) },
  { name: 'embedded jwk under the published kid', target: 'local', token: () => signRaw(attackerKey, { alg: 'RS256', kid: 'rsa-1', jwk: attackerKey.jwk }, localClaims()) },
  { name: 'kid path traversal to /dev/null with an empty HMAC key', target: 'local', token: () => hsBlank('../../../../../../../dev/null', localClaims()) },
  { name: 'kid SQL injection with an HMAC over the injected value', target: 'local', token: () => hsBlank("x' UNION SELECT '' --", localClaims()) },
  { name: 'kid SQL injection on an RS256 token signed by the attacker', target: 'local', token: () => signRaw(attackerKey, { alg: 'RS256', kid: "rsa-1' OR '1'='1" }, localClaims()) },
  { name: 'kid of 300 characters', target: 'local', token: () => signRaw(issuerKey, { alg: 'RS256', kid: 'k'.repeat(300) }, localClaims()) },
  // RFC 7515 §4.1.11, §4: unknown critical extensions and duplicate members.
  { name: 'unknown crit extension (correctly signed)', target: 'local', token: () => localToken(localClaims(), { crit: ['x-mandate-test'], 'x-mandate-test': true }) },
  { name: 'duplicate alg member in the header (correctly signed)', target: 'local', token: () => signRawSegments(issuerKey, `{"alg":"RS256","kid":"rsa-1","alg":"RS256"}`, localClaims()) },
  // Time claims (RFC 7519 §4.1.4-4.1.5, checklist A.4 item 32).
  { name: 'exp missing', target: 'local', token: () => localToken(localClaims({ exp: undefined })) },
  { name: 'exp an hour ago', target: 'local', token: () => localToken(localClaims({ exp: now() - 3600, iat: now() - 7200 })) },
  { name: 'exp past the 30 s tolerance by 5 s', target: 'local', token: () => localToken(localClaims({ exp: now() - 35 })) },
  { name: 'exp as a string', target: 'local', token: () => localToken(localClaims({ exp: String(now() + 3600) })) },
  { name: 'nbf an hour in the future', target: 'local', token: () => localToken(localClaims({ nbf: now() + 3600 })) },
  // Issuer, audience, client (RFC 8725 §3.8-3.9, checklist A.4 item 31).
  { name: 'iss of another issuer', target: 'local', token: () => localToken(localClaims({ iss: 'https://evil.example/pool' })) },
  { name: 'iss with a trailing slash', target: 'local', token: () => localToken(localClaims({ iss: `${local.issuer}/` })) },
  { name: 'iss missing', target: 'local', token: () => localToken(localClaims({ iss: undefined })) },
  { name: 'aud of another API', target: 'local', token: () => localToken(localClaims({ aud: 'api://other' })) },
  { name: 'aud array without the allowed audience', target: 'local', token: () => localToken(localClaims({ aud: ['api://other', 'api://mandate-sec/'] })) },
  { name: 'aud missing', target: 'local', token: () => localToken(localClaims({ aud: undefined })) },
  { name: 'client_id of another client', target: 'local', token: () => localToken(localClaims({ client_id: 'client-b' })) },
  { name: 'client_id missing while allowedClients is set', target: 'local', token: () => localToken(localClaims({ client_id: undefined })) },
  { name: 'sub missing', target: 'local', token: () => localToken(localClaims({ sub: undefined })) },
  { name: 'sub empty', target: 'local', token: () => localToken(localClaims({ sub: '' })) },
  // Token types used in the wrong place (RFC 8725 §3.11).
  { name: 'typ dpop+jwt (a DPoP proof presented as an access token)', target: 'local', token: () => localToken(localClaims(), { typ: 'dpop+jwt' }) },
  { name: 'typ logout+jwt', target: 'local', token: () => localToken(localClaims(), { typ: 'logout+jwt' }) },
  { name: 'an ID token (aud = the client, no client_id) where an access token is expected', target: 'local', token: () => localToken(localClaims({ aud: CLIENT, client_id: undefined, token_use: 'id' })) },
  { name: 'a Mandate workload access token presented as a user JWT', target: 'local', token: async () => (await m.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: workloads.local, userToken: await localToken() }))).workloadAccessToken! },
  // Malformed input.
  { name: 'oversized token (16 KiB + 1, valid signature)', target: 'local', runtimeStatus: 431, token: async () => {
    const base = (await localToken(localClaims({ pad: '' }))).length;
    const t = await localToken(localClaims({ pad: 'x'.repeat(Math.ceil((16 * 1024 + 1 - base) * 3 / 4) + 4) }));
    assert.ok(t.length > 16 * 1024 && t.length < 16 * 1024 + 64, String(t.length));
    return t;
  } },
  { name: 'header segment that is not base64url', target: 'local', token: async () => `!!!.${(await localToken()).split('.').slice(1).join('.')}` },
  { name: 'header segment that is not JSON', target: 'local', token: async () => `${b64('{"alg":"RS256",')}.${(await localToken()).split('.').slice(1).join('.')}` },
  { name: 'payload that is a JSON array', target: 'local', token: () => signRawSegments(issuerKey, JSON.stringify({ alg: 'RS256', kid: 'rsa-1' }), [localClaims()] as unknown as Record<string, unknown>) },
  { name: 'two segments only', target: 'local', token: async () => (await localToken()).split('.').slice(0, 2).join('.') },
  { name: 'five segments (JWE shape)', target: 'local', token: () => `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.AAAA.AAAA.AAAA.AAAA` },
  // Entra (checklist A.4 items 31 and 37).
  { name: 'Entra token of another tenant at a single-tenant authorizer', target: 'tenant', token: () => entraToken(entraClaims('tenant', entra.tenantB)) },
  { name: 'Entra token issued to another app (azp)', target: 'tenant', token: () => entraToken(entraClaims('tenant', entra.tenantA, { azp: randomUUID() })) },
  { name: 'Entra v1 token whose appid is another app (azp set to the allowed client as a decoy)', target: 'tenant', token: () => entraToken(entraClaims('tenant', entra.tenantA, { ver: '1.0', appid: randomUUID() })) },
  { name: 'Entra /common: tid that is not a GUID', target: 'common', token: () => entraToken(entraClaims('common', 'contoso')) },
  { name: 'Entra /common: tid missing (literal {tenantid} issuer)', target: 'common', token: () => entraToken(entraClaims('common', '{tenantid}', { tid: undefined })) },
  { name: 'Entra /common: iss of one tenant, tid of another', target: 'common', token: () => entraToken(entraClaims('common', entra.tenantA, { tid: entra.tenantB })) },
  { name: 'Entra /common: iss on another host with a valid tid', target: 'common', token: () => entraToken(entraClaims('common', entra.tenantA, { iss: `https://login.example/${entra.tenantA}/v2.0` })) },
];

const RUNTIME_BODY = { message: 'The bearer token is not valid for this resource.' };

describe('runtime customJWTAuthorizer (bearer on /invocations): 401 invalid_token, no session claimed', () => {
  for (const a of attacks) {
    test(`runtime authorizer rejects: ${a.name}`, async () => {
      const before = await runtimeSessionCount();
      const res = await bearerInvoke(m, arns[a.target], await a.token(), { op: 'whoami' }, { sessionId: sessionId('atk') });
      if (a.runtimeStatus) {
        assert.equal(res.status, a.runtimeStatus);
      } else {
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('x-amzn-errortype'), 'UnauthorizedException');
        assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
        assert.deepEqual(await res.json(), RUNTIME_BODY);
      }
      assert.equal(await runtimeSessionCount(), before);
      a.after?.();
    });
  }
});

describe('GetWorkloadAccessTokenForJWT: AccessDeniedException, no token minted', () => {
  for (const a of attacks) {
    test(`GetWorkloadAccessTokenForJWT rejects: ${a.name}`, async () => {
      await assert.rejects(m.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: workloads[a.target], userToken: await a.token() })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'AccessDeniedException');
        assert.equal(e.message, 'The user token is not valid for this workload.');
        assert.equal(e.$metadata.httpStatusCode, 403);
        return true;
      });
      a.after?.();
    });
  }
});

describe('CompleteResourceTokenAuth({userToken}): AccessDeniedException, the session untouched', () => {
  for (const a of attacks) {
    test(`CompleteResourceTokenAuth rejects: ${a.name}`, async () => {
      const sessionUri = sessions[a.target];
      assert.ok(sessionUri, 'positive control created the session');
      const before = await sessionVersion(sessionUri);
      await assert.rejects(m.data.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userToken: await a.token() } })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'AccessDeniedException');
        assert.equal(e.message, 'The user token could not be verified for this workload.');
        assert.equal(e.$metadata.httpStatusCode, 403);
        return true;
      });
      assert.deepEqual(await sessionVersion(sessionUri), before);
      assert.equal((await m.identity.services.store.list(collections.vaultTokens)).items.length, 0);
      a.after?.();
    });
  }
});

test('no attack made Mandate fetch anything but the configured discovery documents and JWKS', () => {
  assert.deepEqual(tripwire.hits, []);
  assert.deepEqual(local.hits.other, []);
  assert.deepEqual(entra.tenant.hits.other, []);
  assert.deepEqual(entra.common.hits.other, []);
});

describe('binding is on (iss, sub): the same sub from another trusted issuer is another user (checklist A.3 item 24)', () => {
  let second: LocalIssuer;
  let secondKey: SigningKey;
  before(async () => {
    secondKey = await makeKey('rsa-2');
    second = await startIssuer('/pool2', [secondKey.jwk]);
    await putWorkload('jwt-two-issuers', [configs.local, { discoveryUrl: second.discoveryUrl, allowedAudience: [API], allowedClients: [CLIENT] }]);
  });
  after(() => second.close());

  /** A session of workload jwt-two-issuers bound to user-1 at the first issuer, advanced to AWAITING_BINDING with a pending token. */
  async function awaitingBinding(pendingToken: string): Promise<string> {
    const wat = (await m.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'jwt-two-issuers', userToken: await localToken() }))).workloadAccessToken!;
    const r = await m.data.send(new GetResourceOauth2TokenCommand({
      workloadIdentityToken: wat, resourceCredentialProviderName: 'idle-provider', scopes: ['read'], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
    }));
    const services = m.identity.services;
    const id = r.sessionUri!.split(':').pop()!;
    const rec = await services.store.get<AuthSessionDoc>(collections.authSessions, id);
    // What the provider callback leaves behind after a successful code exchange.
    const next = { ...rec!.doc, status: 'AWAITING_BINDING' as const, pending: await sealPending(services, id, { accessToken: pendingToken }) };
    assert.ok(await services.store.update(collections.authSessions, id, next, rec!.version, { expiresAt: rec!.doc.expiresAt }));
    return r.sessionUri!;
  }

  test('a valid token for sub user-1 from the second issuer cannot complete a session of user-1 at the first: refused, session failed, nothing stored', async () => {
    const sessionUri = await awaitingBinding('provider-token-x');
    const impostor = await signRaw(secondKey, { alg: 'RS256', kid: 'rsa-2', typ: 'JWT' }, localClaims({ iss: second.issuer }));
    assert.equal((await m.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'jwt-two-issuers', userToken: impostor }))).workloadAccessToken!.startsWith('mwat1.'), true, 'the impostor token itself is valid');
    await assert.rejects(m.data.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userToken: impostor } })), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it. Nothing was stored.' });
    assert.equal((await sessionVersion(sessionUri)).status, 'FAILED');
    assert.equal((await m.identity.services.store.list(collections.vaultTokens)).items.length, 0);
  });

  test('positive control: the same user at the first issuer completes it', async () => {
    const sessionUri = await awaitingBinding('provider-token-y');
    await m.data.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userToken: await localToken() } }));
    assert.equal((await sessionVersion(sessionUri)).status, 'COMPLETED');
    assert.equal((await m.identity.services.store.list(collections.vaultTokens)).items.length, 1);
  });
});
