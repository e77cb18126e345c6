// Item 2, SSRF through discovery URLs (security checklist A.1 item 12, A.4 item 38; RFC 8725 §3.10): the URLs an
// admin configures (credential provider discovery and metadata, a runtime's customJWTAuthorizer discoveryUrl)
// must never make Mandate dial loopback, private, link-local or metadata addresses outside dev mode, nor
// follow redirects, nor talk plain http. Mandate's outbound fetch is replaced by a recorder, so "refused"
// means no request was even attempted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { memoryLogger, randomToken } from '@mandate/core';
import { collections } from '@mandate/identity/testing';
import { listen, serve, type Listening } from '@mandate/http';
import { MemoryStore } from '@mandate/storage';
import { createAccessKey } from '@mandate/edge';
import { createIdentityService, type IdentityService } from '@mandate/identity';
import { LocalKeyProvider } from '@mandate/identity';
import { createRuntimeRouter, type RuntimeHandle } from '@mandate/runtime';
import { agentDir, baseRuntime, codeArtifact } from '@mandate/runtime/test-harness';
import { makeKey, signRaw } from './helpers/jwt-forge.ts';

const REGION = 'us-west-2';
const WK = '/.well-known/openid-configuration';

interface Stack {
  url: string;
  identity: IdentityService;
  control: BedrockAgentCoreControlClient;
  /** Every URL Mandate tried to fetch. */
  outbound: string[];
  close(): Promise<void>;
}

/** A Mandate (identity + runtime) whose outbound fetch only records (and reaches loopback when `passLoopback`). */
async function startStack(devMode: boolean, passLoopback: boolean): Promise<Stack> {
  const outbound: string[] = [];
  const recorder: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    outbound.push(url);
    if (passLoopback && new URL(url).hostname === '127.0.0.1') return fetch(input, init);
    throw new TypeError('fetch failed (the test network has no route there)');
  };
  const identity: IdentityService = await createIdentityService({
    config: { publicUrl: 'https://mandate.example.test', region: REGION, accountId: '123456789012', devMode },
    store: new MemoryStore(),
    keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: randomBytes(32).toString('base64') }),
    logger: memoryLogger(),
    fetch: recorder,
  });
  const runtime: RuntimeHandle = createRuntimeRouter(identity.services, identity.port, { startTimeoutMs: 60_000 }, identity.router);
  const l: Listening = await listen(serve(identity.router));
  const admin = await createAccessKey(identity.services, { role: 'admin' });
  const control = new BedrockAgentCoreControlClient({ endpoint: l.url, region: REGION, credentials: admin, maxAttempts: 1 });
  return {
    url: l.url, identity, control, outbound,
    close: async () => {
      control.destroy();
      await runtime.close();
      await l.close();
      await identity.close();
    },
  };
}

let prod: Stack; // devMode off: the production rules
let dev: Stack; // devMode on: loopback allowed, everything else still refused
let bearer: string;
let n = 0;

before(async () => {
  prod = await startStack(false, false);
  dev = await startStack(true, true);
  const key = await makeKey('k');
  bearer = await signRaw(key, { alg: 'RS256', kid: 'k' }, { iss: 'x', sub: 'u', client_id: 'c', exp: Math.floor(Date.now() / 1000) + 600 });
});
after(async () => {
  await prod?.close();
  await dev?.close();
});

const PRIVATE = "must not point at a loopback, private or link-local address";
const TARGETS: Array<[string, string, string]> = [
  ['plain http to the cloud metadata service', `http://169.254.169.254/latest${WK}`, 'must use https'],
  ['link-local metadata address over https', `https://169.254.169.254${WK}`, PRIVATE],
  ['RFC 1918 10.0.0.0/8', `https://10.0.0.1${WK}`, PRIVATE],
  ['RFC 1918 172.16.0.0/12', `https://172.16.5.4${WK}`, PRIVATE],
  ['RFC 1918 192.168.0.0/16', `https://192.168.0.1${WK}`, PRIVATE],
  ['CGNAT 100.64.0.0/10', `https://100.64.0.1${WK}`, PRIVATE],
  ['unspecified 0.0.0.0', `https://0.0.0.0${WK}`, PRIVATE],
  ['loopback literal', `https://127.0.0.1:8443${WK}`, PRIVATE],
  ['loopback name', `https://localhost${WK}`, PRIVATE],
  ['IPv6 loopback', `https://[::1]${WK}`, PRIVATE],
  ['IPv6 unique-local', `https://[fd00::1]${WK}`, PRIVATE],
  ['IPv6 link-local', `https://[fe80::1]${WK}`, PRIVATE],
  ['IPv4-mapped IPv6 metadata address', `https://[::ffff:169.254.169.254]${WK}`, PRIVATE],
  ['hexadecimal IPv4 shorthand of the metadata address', `https://0xa9fea9fe${WK}`, PRIVATE],
  ['decimal IPv4 shorthand of loopback', `https://2130706433${WK}`, PRIVATE],
  ['octal IPv4 loopback', `https://0177.0.0.1${WK}`, PRIVATE],
  ['host name that resolves to loopback (/etc/hosts)', `https://vm${WK}`, 'resolves to a loopback, private or link-local address'],
  ['user information in the URL', `https://user:secret@idp.example.test${WK}`, 'must not contain user information'],
];

describe('credential provider discovery (CreateOauth2CredentialProvider, devMode off): ValidationException, no request', () => {
  for (const [name, url, why] of TARGETS) {
    test(`provider discoveryUrl refused: ${name}`, async () => {
      const before = prod.outbound.length;
      await assert.rejects(prod.control.send(new CreateOauth2CredentialProviderCommand({
        name: `ssrf-${++n}`, credentialProviderVendor: 'CustomOauth2',
        oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { discoveryUrl: url } } },
      })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'ValidationException');
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.ok(e.message.includes(why), e.message);
        return true;
      });
      assert.deepEqual(prod.outbound.slice(before), []);
    });
  }

  test('provider authorizationServerMetadata endpoints on private addresses are refused', async () => {
    for (const [field, meta] of [
      ['tokenEndpoint', { issuer: 'https://idp.example.test', authorizationEndpoint: 'https://idp.example.test/authorize', tokenEndpoint: 'https://169.254.169.254/token' }],
      ['authorizationEndpoint', { issuer: 'https://idp.example.test', authorizationEndpoint: 'https://[::1]/authorize', tokenEndpoint: 'https://idp.example.test/token' }],
      ['issuer', { issuer: 'http://10.1.2.3', authorizationEndpoint: 'https://idp.example.test/authorize', tokenEndpoint: 'https://idp.example.test/token' }],
    ] as const) {
      await assert.rejects(prod.control.send(new CreateOauth2CredentialProviderCommand({
        name: `ssrf-${++n}`, credentialProviderVendor: 'CustomOauth2',
        oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { authorizationServerMetadata: meta } } },
      })), (e: Error) => {
        assert.equal(e.name, 'ValidationException');
        assert.ok(e.message.includes(`authorizationServerMetadata.${field}'`), e.message);
        return true;
      });
    }
    assert.deepEqual(prod.outbound, []);
  });
});

async function invoke(s: Stack, arn: string): Promise<Response> {
  return fetch(`${s.url}/runtimes/${encodeURIComponent(arn)}/invocations`, {
    method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{}',
  });
}

async function runtimeWith(s: Stack, discoveryUrl: string): Promise<string> {
  return (await s.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: `ssrf_${++n}`, agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl, allowedClients: ['c'] } },
  }))).agentRuntimeArn!;
}

describe('runtime customJWTAuthorizer discovery (devMode off): the invocation gets 401 and Mandate dials nothing', () => {
  for (const [name, url] of TARGETS) {
    test(`authorizer discoveryUrl never fetched: ${name}`, async () => {
      const arn = await runtimeWith(prod, url);
      const before = prod.outbound.length;
      const res = await invoke(prod, arn);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('x-amzn-errortype'), 'UnauthorizedException');
      assert.deepEqual(await res.json(), { message: 'The bearer token is not valid for this resource.' });
      assert.deepEqual(prod.outbound.slice(before), []);
    });
  }
});

describe('redirects and private jwks_uri behind an allowed discovery URL (devMode on: loopback allowed)', () => {
  let idp: Listening;
  const hits: string[] = [];
  before(async () => {
    idp = await listen(createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === `/redirect${WK}`) return void res.writeHead(302, { location: `http://169.254.169.254/latest/meta-data${WK}` }).end();
      if (req.url === `/private-jwks${WK}`) {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          issuer: `${idp.url}/private-jwks`, jwks_uri: 'http://169.254.169.254/latest/meta-data/jwks', authorization_endpoint: `${idp.url}/a`, token_endpoint: 'http://169.254.169.254/token',
        }));
      }
      res.writeHead(404).end();
    }));
  });
  after(() => idp.close());

  test('a provider discovery URL that redirects to the metadata service is refused; the redirect is not followed', async () => {
    const before = dev.outbound.length;
    await assert.rejects(dev.control.send(new CreateOauth2CredentialProviderCommand({
      name: `ssrf-${++n}`, credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { discoveryUrl: `${idp.url}/redirect${WK}` } } },
    })), (e: Error) => {
      assert.equal(e.name, 'ValidationException');
      assert.equal(e.message, `Discovery at ${idp.url}/redirect${WK} failed: the server answered with a redirect (HTTP 302); redirects are not followed.`);
      return true;
    });
    assert.deepEqual(dev.outbound.slice(before), [`${idp.url}/redirect${WK}`]);
  });

  test('a provider discovery document naming a token endpoint on the metadata address is refused', async () => {
    const before = dev.outbound.length;
    await assert.rejects(dev.control.send(new CreateOauth2CredentialProviderCommand({
      name: `ssrf-${++n}`, credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { discoveryUrl: `${idp.url}/private-jwks${WK}` } } },
    })), (e: Error) => {
      assert.equal(e.name, 'ValidationException');
      assert.ok(e.message.includes('(token_endpoint)'), e.message);
      return true;
    });
    assert.deepEqual(dev.outbound.slice(before), [`${idp.url}/private-jwks${WK}`]);
  });

  test('an authorizer discovery URL that redirects: 401, the redirect is not followed', async () => {
    const arn = await runtimeWith(dev, `${idp.url}/redirect${WK}`);
    const before = dev.outbound.length;
    const res = await invoke(dev, arn);
    assert.equal(res.status, 401);
    assert.deepEqual(dev.outbound.slice(before), [`${idp.url}/redirect${WK}`]);
  });

  test('an authorizer discovery document whose jwks_uri is the metadata address: 401, the JWKS is never fetched', async () => {
    const arn = await runtimeWith(dev, `${idp.url}/private-jwks${WK}`);
    const before = dev.outbound.length;
    const res = await invoke(dev, arn);
    assert.equal(res.status, 401);
    assert.deepEqual(dev.outbound.slice(before), [`${idp.url}/private-jwks${WK}`]);
    assert.ok(!hits.some((h) => h.includes('169.254')));
  });
});

test('the built-in return page never dials a workload identity provider on a private address (devMode off)', async () => {
  const { store } = prod.identity.services;
  for (const [i, discoveryUrl] of [`https://vm${WK}`, `https://169.254.169.254${WK}`, `http://10.0.0.1${WK}`, `https://[::1]${WK}`].entries()) {
    const name = `ssrf-return-${i}`;
    await store.put(collections.workloadIdentities, name, {
      name, workloadIdentityArn: `arn:aws:bedrock-agentcore:${REGION}:123456789012:workload-identity-directory/default/workload-identity/${name}`,
      allowedResourceOauth2ReturnUrls: [], createdTime: 0, lastUpdatedTime: 0, inboundJwt: [{ discoveryUrl, allowedAudience: ['app'] }],
    });
    // A session that reached AWAITING_BINDING (consent given), as the provider callback leaves it.
    const sessionId = randomToken(32);
    await store.insert(collections.authSessions, sessionId, {
      sessionId, workloadName: name, user: { kind: 'jwt', issuer: 'https://idp.example.test', subject: 'u' }, providerName: 'p', scopes: [], returnUrl: 'https://app.example.test/r',
      state: randomToken(32), nonce: randomToken(24), status: 'AWAITING_BINDING', createdTime: Date.now(), expiresAt: Date.now() + 600_000,
    });
    const before = prod.outbound.length;
    const res = await fetch(`${prod.url}/identities/oauth2/return?session_id=${encodeURIComponent(`urn:ietf:params:oauth:request_uri:${sessionId}`)}`, { redirect: 'manual' });
    assert.equal(res.status, 400, discoveryUrl);
    assert.match(await res.text(), /The workload&#39;s identity provider URL is not one Mandate may call \(https on a public address\)\./);
    assert.deepEqual(prod.outbound.slice(before), [], discoveryUrl);
  }
});
