import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ConflictException, CreateOauth2CredentialProviderCommand, DeleteOauth2CredentialProviderCommand, GetOauth2CredentialProviderCommand,
  ListOauth2CredentialProvidersCommand, ResourceNotFoundException, UpdateOauth2CredentialProviderCommand, ValidationException,
  paginateListOauth2CredentialProviders, type CredentialProviderVendorType, type Oauth2ProviderConfigInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { catalog, VENDORS } from '../src/catalog/index.ts';
import { collections, type Oauth2ProviderDoc } from '../src/model.ts';
import { ACCOUNT, REGION, snapshot, startControlServer, type ControlHarness } from './helpers/control-server.ts';

let h: ControlHarness;
before(async () => { h = await startControlServer({ entraAuthorityBase: 'https://entra.emulator.test' }); });
after(async () => { await h.close(); });

const SECRET = 'cs-' + 'Zq9'.repeat(10);
const providerArn = (name: string) => `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:token-vault/default/oauth2credentialprovider/${name}`;
const ALL_COLLECTIONS = Object.values(collections);

/** The config input each vendor takes in these tests. */
function inputFor(vendor: CredentialProviderVendorType, clientId: string): Oauth2ProviderConfigInput {
  const base = { clientId, clientSecret: SECRET };
  switch (catalog.get(vendor)!.member) {
    case 'microsoftOauth2ProviderConfig': return { microsoftOauth2ProviderConfig: { ...base, tenantId: 'contoso.onmicrosoft.com' } };
    case 'googleOauth2ProviderConfig': return { googleOauth2ProviderConfig: base };
    case 'githubOauth2ProviderConfig': return { githubOauth2ProviderConfig: base };
    case 'slackOauth2ProviderConfig': return { slackOauth2ProviderConfig: base };
    case 'salesforceOauth2ProviderConfig': return { salesforceOauth2ProviderConfig: base };
    case 'atlassianOauth2ProviderConfig': return { atlassianOauth2ProviderConfig: base };
    case 'linkedinOauth2ProviderConfig': return { linkedinOauth2ProviderConfig: base };
    case 'customOauth2ProviderConfig':
      return { customOauth2ProviderConfig: { ...base, clientAuthenticationMethod: 'CLIENT_SECRET_POST', oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://idp.example.com', authorizationEndpoint: 'https://idp.example.com/authorize', tokenEndpoint: 'https://idp.example.com/token', responseTypes: ['code'], tokenEndpointAuthMethods: ['client_secret_post'] } } } };
    case 'includedOauth2ProviderConfig': {
      const entry = catalog.get(vendor)!;
      if (!entry.tenantSpecific) return { includedOauth2ProviderConfig: base };
      if (entry.endpoints) return { includedOauth2ProviderConfig: { ...base, issuer: `https://${vendor.toLowerCase()}.tenant.example.com/oauth2/default` } };
      return { includedOauth2ProviderConfig: { ...base, issuer: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Abc', authorizationEndpoint: 'https://pool.auth.example.com/oauth2/authorize', tokenEndpoint: 'https://pool.auth.example.com/oauth2/token' } };
    }
  }
}

describe('OAuth2 credential providers through the unmodified control-plane client', () => {
  test('every vendor of the catalog (AgentCore\'s 25 and GitLab): create → get → list → update → delete; the secret is never echoed', async () => {
    assert.equal(VENDORS.length, 26);
    const members = new Set<string>();
    // The official client's type names AgentCore's enum; at run time it passes any string, as for GitlabOauth2.
    for (const vendor of VENDORS as CredentialProviderVendorType[]) {
      const name = `p-${vendor}`;
      const created = await h.client.send(new CreateOauth2CredentialProviderCommand({ name, credentialProviderVendor: vendor, oauth2ProviderConfigInput: inputFor(vendor, 'cid-1'), tags: { vendor } }));
      assert.equal(created.$metadata.httpStatusCode, 201, vendor);
      assert.equal(created.name, name);
      assert.equal(created.credentialProviderArn, providerArn(name));
      assert.equal(created.status, 'READY');
      assert.equal(created.clientSecretSource, 'MANAGED');
      assert.match(created.clientSecretArn!.secretArn!, new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bedrock-agentcore-identity!default/oauth2/${name}-[A-Za-z0-9]{6}$`));
      assert.match(created.callbackUrl!, /^https:\/\/mandate\.example\.test\/identities\/oauth2\/callback\/[0-9a-f-]{36}$/);
      const member = catalog.get(vendor)!.member;
      members.add(member);
      const out = (created.oauth2ProviderConfigOutput as unknown as Record<string, { clientId?: string; oauthDiscovery?: unknown }>)[member];
      assert.ok(out, `${vendor} output uses ${member}`);
      assert.equal(out.clientId, 'cid-1');
      assert.ok(out.oauthDiscovery);
      assert.ok(!JSON.stringify(created).includes(SECRET), `${vendor} create response leaks the secret`);

      const got = await h.client.send(new GetOauth2CredentialProviderCommand({ name }));
      assert.equal(got.credentialProviderVendor, vendor);
      assert.equal(got.callbackUrl, created.callbackUrl);
      assert.equal(got.clientSecretArn?.secretArn, created.clientSecretArn?.secretArn);
      assert.ok(got.createdTime instanceof Date && got.lastUpdatedTime instanceof Date);
      assert.ok(!JSON.stringify(got).includes(SECRET));

      const updated = await h.client.send(new UpdateOauth2CredentialProviderCommand({ name, credentialProviderVendor: vendor, oauth2ProviderConfigInput: inputFor(vendor, 'cid-2') }));
      assert.equal(updated.$metadata.httpStatusCode, 200);
      assert.equal((updated.oauth2ProviderConfigOutput as unknown as Record<string, { clientId?: string }>)[member]!.clientId, 'cid-2');
      assert.equal(updated.callbackUrl, created.callbackUrl, 'callback URL is stable across updates');
      assert.equal(updated.clientSecretArn?.secretArn, created.clientSecretArn?.secretArn);
      assert.deepEqual(updated.createdTime, got.createdTime);
      assert.ok(!JSON.stringify(updated).includes(SECRET));

      // Stored: the secret only sealed, the callback indexed.
      const rec = await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, name);
      assert.ok(rec?.doc.clientSecret && !JSON.stringify(rec.doc).includes(SECRET));
      assert.equal(await h.identity.services.secrets.open(rec.doc.clientSecret, { kind: 'oauth2-client-secret', provider: name }), SECRET);
      assert.deepEqual((await h.store.get(collections.oauth2Callbacks, rec.doc.callbackId))?.doc, { providerName: name });
    }
    assert.equal(members.size, 9, 'all nine union members exercised');

    const all: { name?: string | undefined; credentialProviderVendor?: string | undefined }[] = [];
    for await (const page of paginateListOauth2CredentialProviders({ client: h.client, pageSize: 7 }, {})) {
      assert.ok(page.credentialProviders!.length <= 7);
      all.push(...page.credentialProviders!);
    }
    assert.deepEqual(all.map((p) => p.name), VENDORS.map((v) => `p-${v}`).sort());
    assert.ok(all.every((p) => p.credentialProviderVendor && VENDORS.includes(p.credentialProviderVendor as never)));

    for (const vendor of VENDORS) {
      const name = `p-${vendor}`;
      const callbackId = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, name))!.doc.callbackId;
      const del = await h.client.send(new DeleteOauth2CredentialProviderCommand({ name }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      assert.equal(await h.store.get(collections.oauth2Callbacks, callbackId), undefined);
      assert.equal(await h.store.get(collections.tags, providerArn(name)), undefined);
    }
    assert.deepEqual((await h.client.send(new ListOauth2CredentialProvidersCommand({}))).credentialProviders, []);
    assert.ok(!h.logLines.join('\n').includes(SECRET), 'the secret never reaches the log');
    assert.ok(h.responseBodies.length > 100);
    assert.ok(!h.responseBodies.join('\n').includes(SECRET), 'no raw response carries the secret');
  });

  test('MicrosoftOauth2 resolves endpoints from the configured Entra authority; tenantId defaults to common', async () => {
    const r = await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'entra', credentialProviderVendor: 'MicrosoftOauth2', oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: 'app', clientSecret: SECRET } } }));
    assert.deepEqual(r.oauth2ProviderConfigOutput, { microsoftOauth2ProviderConfig: { clientId: 'app', oauthDiscovery: { discoveryUrl: 'https://entra.emulator.test/common/v2.0/.well-known/openid-configuration' } } });
    const doc = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'entra'))!.doc;
    assert.equal(doc.tenantId, 'common');
    assert.deepEqual(doc.endpoints, {
      authorizationEndpoint: 'https://entra.emulator.test/common/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://entra.emulator.test/common/oauth2/v2.0/token',
      issuer: 'https://entra.emulator.test/common/v2.0',
      discoveryUrl: 'https://entra.emulator.test/common/v2.0/.well-known/openid-configuration',
    });
    assert.equal(doc.quirks.offlineAccessScope, 'offline_access');
    assert.equal(doc.quirks.m2mScopeSuffix, '/.default');
    assert.equal(doc.quirks.noResourceIndicators, true);
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'entra' }));
  });

  test('tenant-specific vendors derive endpoints from issuer or take them explicitly', async () => {
    await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'okta', credentialProviderVendor: 'OktaOauth2', oauth2ProviderConfigInput: { includedOauth2ProviderConfig: { clientId: 'c', clientSecret: SECRET, issuer: 'https://acme.okta.com/oauth2/default' } } }));
    const okta = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'okta'))!.doc;
    assert.equal(okta.endpoints.authorizationEndpoint, 'https://acme.okta.com/oauth2/default/v1/authorize');
    assert.equal(okta.endpoints.tokenEndpoint, 'https://acme.okta.com/oauth2/default/v1/token');
    assert.equal(okta.endpoints.revocationEndpoint, 'https://acme.okta.com/oauth2/default/v1/revoke');
    assert.equal(okta.endpoints.issuer, 'https://acme.okta.com/oauth2/default');

    await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'auth0', credentialProviderVendor: 'Auth0Oauth2', oauth2ProviderConfigInput: { includedOauth2ProviderConfig: { clientId: 'c', clientSecret: SECRET, issuer: 'https://acme.us.auth0.com/' } } }));
    const auth0 = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'auth0'))!.doc;
    assert.equal(auth0.endpoints.tokenEndpoint, 'https://acme.us.auth0.com/oauth/token');
    assert.equal(auth0.endpoints.issuer, 'https://acme.us.auth0.com/', 'the issuer is kept exactly (it is compared with iss claims)');

    for (const vendor of ['CognitoOauth2', 'OktaOauth2', 'CyberArkOauth2'] as const) {
      await assert.rejects(h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'no-tenant', credentialProviderVendor: vendor, oauth2ProviderConfigInput: { includedOauth2ProviderConfig: { clientId: 'c', clientSecret: SECRET } } })), (e: unknown) => {
        assert.ok(e instanceof ValidationException);
        assert.match(e.message, new RegExp(`^The credentialProviderVendor ${vendor} is tenant-specific: oauth2ProviderConfigInput.includedOauth2ProviderConfig must include `));
        return true;
      });
    }
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'okta' }));
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'auth0' }));
  });

  test('errors: unknown vendor, wrong member, two members, missing fields, duplicate, unknown name — each changes nothing', async () => {
    await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'taken', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: SECRET } } }));
    const before = await snapshot(h.store, ALL_COLLECTIONS);
    const cases: [string, object, (e: ValidationException | ConflictException) => void][] = [
      ['unknown vendor', { name: 'x', credentialProviderVendor: 'MySpaceOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.equal(e.fieldList?.[0]?.name, 'credentialProviderVendor');
        assert.match(e.fieldList![0]!.message ?? '', /^Member must satisfy enum value set: \[MicrosoftOauth2, GoogleOauth2, GithubOauth2, .*, GitlabOauth2\]$/);
      }],
      ['wrong member', { name: 'x', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.equal(e.message, 'The credentialProviderVendor GithubOauth2 must be configured with oauth2ProviderConfigInput.githubOauth2ProviderConfig, not oauth2ProviderConfigInput.googleOauth2ProviderConfig.');
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput.googleOauth2ProviderConfig', message: 'Member does not match credentialProviderVendor GithubOauth2; use githubOauth2ProviderConfig' }]);
      }],
      ['two members', { name: 'x', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' }, googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput', message: 'Member must have exactly one member set' }]);
      }],
      ['no member', { name: 'x', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: {} }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput', message: 'Member must have exactly one member set' }]);
      }],
      ['missing everything', {}, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [
          { name: 'name', message: 'Member must not be null' },
          { name: 'credentialProviderVendor', message: 'Member must not be null' },
          { name: 'oauth2ProviderConfigInput', message: 'Member must not be null' },
        ]);
        assert.match(e.message, /^3 validation errors detected: Value at 'name' failed to satisfy constraint: Member must not be null; /);
      }],
      ['missing clientId', { name: 'x', credentialProviderVendor: 'SlackOauth2', oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientSecret: 's' } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput.slackOauth2ProviderConfig.clientId', message: 'Member must not be null' }]);
      }],
      ['missing clientSecret', { name: 'x', credentialProviderVendor: 'SlackOauth2', oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientId: 'c' } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput.slackOauth2ProviderConfig.clientSecret', message: 'Member must not be null' }]);
      }],
      ['external secret', { name: 'x', credentialProviderVendor: 'SlackOauth2', oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientId: 'c', clientSecretSource: 'EXTERNAL', clientSecretConfig: { secretId: 'arn:x', jsonKey: 'k' } } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.equal(e.fieldList?.[0]?.name, 'oauth2ProviderConfigInput.slackOauth2ProviderConfig.clientSecretSource');
        assert.match(e.message, /is not supported by Mandate/);
      }],
      ['bad name', { name: 'has space', credentialProviderVendor: 'SlackOauth2', oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'name', message: 'Member must satisfy regular expression pattern: [a-zA-Z0-9\\-_]+' }]);
      }],
      ['http endpoint outside loopback', { name: 'x', credentialProviderVendor: 'CognitoOauth2', oauth2ProviderConfigInput: { includedOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', authorizationEndpoint: 'http://pool.example.com/authorize', tokenEndpoint: 'https://pool.example.com/token' } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput.includedOauth2ProviderConfig.authorizationEndpoint', message: 'Member must use https (http is allowed only for loopback hosts in dev mode)' }]);
      }],
      ['private key JWT', { name: 'x', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientAuthenticationMethod: 'PRIVATE_KEY_JWT', oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://i.example.com', authorizationEndpoint: 'https://i.example.com/a', tokenEndpoint: 'https://i.example.com/t' } } } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.equal(e.fieldList?.[0]?.name, 'oauth2ProviderConfigInput.customOauth2ProviderConfig.clientAuthenticationMethod');
      }],
      ['both discovery forms', { name: 'x', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', oauthDiscovery: { discoveryUrl: 'https://i.example.com/.well-known/openid-configuration', authorizationServerMetadata: { issuer: 'https://i.example.com', authorizationEndpoint: 'https://i.example.com/a', tokenEndpoint: 'https://i.example.com/t' } } } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery', message: 'Member must have exactly one of discoveryUrl, authorizationServerMetadata' }]);
      }],
      ['public client without a clientId', { name: 'x', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: { oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://i.example.com', authorizationEndpoint: 'https://i.example.com/a', tokenEndpoint: 'https://i.example.com/t' } } } } }, (e) => {
        assert.ok(e instanceof ValidationException);
        assert.deepEqual(e.fieldList, [{ name: 'oauth2ProviderConfigInput.customOauth2ProviderConfig.clientId', message: 'Member must not be null for a public client (no clientSecret)' }]);
      }],
      ['duplicate', { name: 'taken', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } }, (e) => {
        assert.ok(e instanceof ConflictException);
        assert.equal(e.message, 'An OAuth2 credential provider named taken already exists.');
      }],
    ];
    for (const [label, input, check] of cases) {
      await assert.rejects(h.client.send(new CreateOauth2CredentialProviderCommand(input as never)), (e: unknown) => {
        check(e as ValidationException);
        return true;
      }, label);
      assert.equal(await snapshot(h.store, ALL_COLLECTIONS), before, `${label} left the store unchanged`);
    }
    // The SDK drops union members it does not model, so an unknown member is sent raw.
    const raw = await h.raw('POST', '/identities/CreateOauth2CredentialProvider', JSON.stringify({ name: 'x', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { myspaceOauth2ProviderConfig: { clientId: 'c' } } }));
    assert.equal(raw.status, 400);
    assert.equal(raw.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.deepEqual(JSON.parse(raw.text).fieldList, [
      { name: 'oauth2ProviderConfigInput', message: 'Unknown member: myspaceOauth2ProviderConfig' },
      { name: 'oauth2ProviderConfigInput', message: 'Member must have exactly one member set' },
    ]);
    // Update with a wrong member or of an unknown provider changes nothing either.
    await assert.rejects(h.client.send(new UpdateOauth2CredentialProviderCommand({ name: 'taken', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } })), ValidationException);
    await assert.rejects(h.client.send(new UpdateOauth2CredentialProviderCommand({ name: 'ghost', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } })), (e: unknown) => {
      assert.ok(e instanceof ResourceNotFoundException);
      assert.equal(e.message, 'The OAuth2 credential provider ghost does not exist.');
      return true;
    });
    await assert.rejects(h.client.send(new GetOauth2CredentialProviderCommand({ name: 'ghost' })), ResourceNotFoundException);
    await assert.rejects(h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'ghost' })), ResourceNotFoundException);
    assert.equal(await snapshot(h.store, ALL_COLLECTIONS), before);
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'taken' }));
  });

  test('an update without clientSecret keeps the stored secret for built-in vendors too', async () => {
    await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'keep-g', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: SECRET } } }));
    const before = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'keep-g'))!.doc;
    const r = await h.client.send(new UpdateOauth2CredentialProviderCommand({ name: 'keep-g', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c-new' } } }));
    assert.deepEqual(r.oauth2ProviderConfigOutput, { googleOauth2ProviderConfig: { clientId: 'c-new', oauthDiscovery: { discoveryUrl: 'https://accounts.google.com/.well-known/openid-configuration' } } });
    const after = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'keep-g'))!.doc;
    assert.deepEqual(after.clientSecret, before.clientSecret);
    assert.equal(after.clientId, 'c-new');
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'keep-g' }));
  });

  test('an update without clientSecret keeps the stored secret; a vendor change moves to the new member', async () => {
    await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'keep', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: SECRET } } }));
    const before = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'keep'))!.doc;
    const r = await h.client.send(new UpdateOauth2CredentialProviderCommand({ name: 'keep', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c2', oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://i.example.com', authorizationEndpoint: 'https://i.example.com/a', tokenEndpoint: 'https://i.example.com/t' } } } } }));
    assert.equal(r.credentialProviderVendor, 'CustomOauth2');
    assert.deepEqual(r.oauth2ProviderConfigOutput, { customOauth2ProviderConfig: { clientId: 'c2', oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://i.example.com', authorizationEndpoint: 'https://i.example.com/a', tokenEndpoint: 'https://i.example.com/t' } } } });
    const after = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'keep'))!.doc;
    assert.deepEqual(after.clientSecret, before.clientSecret);
    assert.equal(after.configMember, 'customOauth2ProviderConfig');
    assert.equal(after.quirks.tokenAuthMethod, 'client_secret_basic', 'the kept secret is still used to authenticate');
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'keep' }));
  });
});
