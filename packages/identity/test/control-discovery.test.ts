import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  CreateOauth2CredentialProviderCommand, DeleteOauth2CredentialProviderCommand, GetOauth2CredentialProviderCommand,
  UpdateOauth2CredentialProviderCommand, ValidationException,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { collections, type Oauth2ProviderDoc } from '../src/model.ts';
import { snapshot, startControlServer, type ControlHarness } from './helpers/control-server.ts';

/** A local IdP serving discovery documents in every good and bad shape. */
let idp: Server;
let idpUrl: string;
const hits: string[] = [];
let h: ControlHarness;
let prod: ControlHarness;

function metadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: `${issuer}/revoke`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    authorization_response_iss_parameter_supported: true,
  };
}

before(async () => {
  idp = createServer((req, res) => {
    hits.push(req.url!);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.url === '/slow/.well-known/openid-configuration') return; // never answers
    switch (req.url) {
      case '/tenant-a/.well-known/openid-configuration': return send(200, JSON.stringify(metadata(`${idpUrl}/tenant-a`)));
      case '/.well-known/oauth-authorization-server/tenant-b': return send(200, JSON.stringify(metadata(`${idpUrl}/tenant-b`)));
      case '/mismatch/.well-known/openid-configuration': return send(200, JSON.stringify(metadata('https://evil.example.com')));
      case '/redirect/.well-known/openid-configuration': return send(302, '', { location: 'http://169.254.169.254/latest/meta-data' });
      case '/missing-token/.well-known/openid-configuration': {
        const m: Record<string, unknown> = metadata(`${idpUrl}/missing-token`);
        delete m.token_endpoint;
        return send(200, JSON.stringify(m));
      }
      case '/not-json/.well-known/openid-configuration': return send(200, '<html>hello</html>');
      case '/huge/.well-known/openid-configuration': return send(200, JSON.stringify({ ...metadata(`${idpUrl}/huge`), pad: 'x'.repeat(300 * 1024) }));
      case '/http-endpoint/.well-known/openid-configuration': return send(200, JSON.stringify({ ...metadata(`${idpUrl}/http-endpoint`), token_endpoint: 'http://token.example.com/token' }));
      default: return send(404, '{}');
    }
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  h = await startControlServer({ devMode: true });
  prod = await startControlServer({ devMode: false });
});

after(async () => {
  await h.close();
  await prod.close();
  idp.closeAllConnections();
  await new Promise<void>((r) => idp.close(() => r()));
});

const custom = (discoveryUrl: string) => ({
  customOauth2ProviderConfig: { clientId: 'cid', clientSecret: 'shh-custom-secret', oauthDiscovery: { discoveryUrl } },
});

describe('CustomOauth2 discovery (fetched at create/update time)', () => {
  test('OIDC discovery: endpoints resolved and stored, discoveryUrl echoed', async () => {
    const url = `${idpUrl}/tenant-a/.well-known/openid-configuration`;
    const r = await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'disc', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: custom(url) }));
    assert.deepEqual(r.oauth2ProviderConfigOutput, { customOauth2ProviderConfig: { clientId: 'cid', oauthDiscovery: { discoveryUrl: url } } });
    const doc = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'disc'))!.doc;
    assert.deepEqual(doc.endpoints, {
      issuer: `${idpUrl}/tenant-a`,
      authorizationEndpoint: `${idpUrl}/tenant-a/authorize`,
      tokenEndpoint: `${idpUrl}/tenant-a/token`,
      revocationEndpoint: `${idpUrl}/tenant-a/revoke`,
      jwksUri: `${idpUrl}/tenant-a/jwks`,
      discoveryUrl: url,
      responseTypes: ['code'],
      tokenEndpointAuthMethods: ['client_secret_post'],
      authorizationResponseIssParameterSupported: true,
    });
    assert.equal(doc.quirks.tokenAuthMethod, 'client_secret_post', 'chosen from the advertised methods');
    // Update re-fetches (RFC 8414 form this time).
    const url2 = `${idpUrl}/.well-known/oauth-authorization-server/tenant-b`;
    await h.client.send(new UpdateOauth2CredentialProviderCommand({ name: 'disc', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: custom(url2) }));
    const doc2 = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'disc'))!.doc;
    assert.equal(doc2.endpoints.issuer, `${idpUrl}/tenant-b`);
    assert.equal(doc2.endpoints.tokenEndpoint, `${idpUrl}/tenant-b/token`);
    const got = await h.client.send(new GetOauth2CredentialProviderCommand({ name: 'disc' }));
    assert.deepEqual(got.oauth2ProviderConfigOutput, { customOauth2ProviderConfig: { clientId: 'cid', oauthDiscovery: { discoveryUrl: url2 } } });
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'disc' }));
  });

  test('every discovery failure is a precise ValidationException and writes nothing', async () => {
    const before = await snapshot(h.store, Object.values(collections));
    const field = 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.discoveryUrl';
    const cases: [string, string][] = [
      [`${idpUrl}/mismatch/.well-known/openid-configuration`, `the issuer "https://evil.example.com" does not match the expected "${idpUrl}/mismatch"`],
      [`${idpUrl}/redirect/.well-known/openid-configuration`, 'the server answered with a redirect (HTTP 302); redirects are not followed'],
      [`${idpUrl}/absent/.well-known/openid-configuration`, 'the server answered HTTP 404'],
      [`${idpUrl}/missing-token/.well-known/openid-configuration`, 'the document has no token_endpoint'],
      [`${idpUrl}/not-json/.well-known/openid-configuration`, 'the document is not a JSON object'],
      [`${idpUrl}/huge/.well-known/openid-configuration`, 'the document is larger than 262144 bytes'],
      [`${idpUrl}/tenant-a/metadata.json`, 'must end with /.well-known/openid-configuration or contain /.well-known/oauth-authorization-server'],
      ['http://127.0.0.1:1/.well-known/openid-configuration', 'the server could not be reached'],
      [`${idpUrl}/slow/.well-known/openid-configuration`, 'no answer within 5 seconds'],
    ];
    for (const [url, why] of cases) {
      await assert.rejects(h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'bad-disc', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: custom(url) })), (e: unknown) => {
        assert.ok(e instanceof ValidationException, url);
        assert.equal(e.message, `Discovery at ${url} failed: ${why}.`);
        assert.deepEqual(e.fieldList, [{ name: field, message: `Discovery failed: ${why}` }]);
        assert.ok(!e.message.includes('shh-custom-secret'));
        return true;
      });
    }
    // An endpoint inside the document is held to the same URL rule.
    await assert.rejects(h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'bad-disc', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: custom(`${idpUrl}/http-endpoint/.well-known/openid-configuration`) })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: `${field} (token_endpoint)`, message: 'Member must use https (http is allowed only for loopback hosts in dev mode)' }]);
      return true;
    });
    assert.equal(await snapshot(h.store, Object.values(collections)), before);
  });

  test('outside dev mode: https only, and loopback/private/link-local targets are refused before any request', async () => {
    const before = hits.length;
    const cases: [string, string][] = [
      [`${idpUrl}/tenant-a/.well-known/openid-configuration`, 'Member must use https'],
      ['https://127.0.0.1/.well-known/openid-configuration', 'Member must not point at a loopback, private or link-local address'],
      ['https://169.254.169.254/.well-known/openid-configuration', 'Member must not point at a loopback, private or link-local address'],
      ['https://[::1]/.well-known/openid-configuration', 'Member must not point at a loopback, private or link-local address'],
      ['https://[::ffff:10.0.0.1]/.well-known/openid-configuration', 'Member must not point at a loopback, private or link-local address'],
      ['https://localhost/.well-known/openid-configuration', 'Member must not point at a loopback, private or link-local address'],
      ['https://0x7f000001/.well-known/openid-configuration', 'Member must not point at a loopback, private or link-local address'],
      ['https://user:pw@idp.example.com/.well-known/openid-configuration', 'Member must not contain user information'],
    ];
    for (const [url, message] of cases) {
      await assert.rejects(prod.client.send(new CreateOauth2CredentialProviderCommand({ name: 'p', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: custom(url) })), (e: unknown) => {
        assert.ok(e instanceof ValidationException, url);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.discoveryUrl', message }], url);
        return true;
      });
    }
    assert.equal(hits.length, before, 'no request reached the IdP');
  });

  test('explicit authorizationServerMetadata needs no fetch', async () => {
    const before = hits.length;
    const md = { issuer: 'https://idp.example.com', authorizationEndpoint: 'https://idp.example.com/authorize', tokenEndpoint: 'https://idp.example.com/token', responseTypes: ['code'], tokenEndpointAuthMethods: ['client_secret_basic'] };
    const r = await prod.client.send(new CreateOauth2CredentialProviderCommand({
      name: 'meta', credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'cid', clientSecret: 'x-secret', clientAuthenticationMethod: 'CLIENT_SECRET_BASIC', onBehalfOfTokenExchangeConfig: { grantType: 'TOKEN_EXCHANGE', tokenExchangeGrantTypeConfig: { actorTokenContent: 'NONE' } }, oauthDiscovery: { authorizationServerMetadata: md } } },
    }));
    assert.deepEqual(r.oauth2ProviderConfigOutput, { customOauth2ProviderConfig: { clientId: 'cid', clientAuthenticationMethod: 'CLIENT_SECRET_BASIC', onBehalfOfTokenExchangeConfig: { grantType: 'TOKEN_EXCHANGE', tokenExchangeGrantTypeConfig: { actorTokenContent: 'NONE' } }, oauthDiscovery: { authorizationServerMetadata: md } } });
    const doc = (await prod.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'meta'))!.doc;
    assert.equal(doc.clientAuthenticationMethod, 'CLIENT_SECRET_BASIC');
    assert.equal(doc.quirks.tokenAuthMethod, 'client_secret_basic');
    assert.deepEqual(doc.onBehalfOfTokenExchangeConfig, { grantType: 'TOKEN_EXCHANGE', tokenExchangeGrantTypeConfig: { actorTokenContent: 'NONE' } });
    assert.equal(hits.length, before);
  });
});
