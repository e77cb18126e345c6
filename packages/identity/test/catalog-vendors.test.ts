import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalog, catalogEntryFor, fillTemplate, loadCatalog, memberForVendor, resolveCatalogEndpoints, VENDORS } from '../src/catalog/index.ts';
import raw from '../src/catalog/vendors.json' with { type: 'json' };
import { CredentialProviderVendorType } from '@aws-sdk/client-bedrock-agentcore-control';

/** AgentCore's vendors, as the official client declares them; the catalog may add Mandate extensions. */
const AGENTCORE_VENDORS: string[] = Object.values(CredentialProviderVendorType);
const EXTENSIONS = ['GitlabOauth2'];

const OWN_MEMBER: Record<string, string> = {
  MicrosoftOauth2: 'microsoftOauth2ProviderConfig',
  GoogleOauth2: 'googleOauth2ProviderConfig',
  GithubOauth2: 'githubOauth2ProviderConfig',
  SlackOauth2: 'slackOauth2ProviderConfig',
  SalesforceOauth2: 'salesforceOauth2ProviderConfig',
  AtlassianOauth2: 'atlassianOauth2ProviderConfig',
  LinkedinOauth2: 'linkedinOauth2ProviderConfig',
  CustomOauth2: 'customOauth2ProviderConfig',
};

const SAMPLE = { authorityBase: 'https://login.microsoftonline.com', tenant: 'contoso.onmicrosoft.com', issuer: 'https://tenant.example.com/oauth2/default' };

describe('provider catalog', () => {
  test('every vendor of the official client\'s enum has exactly one entry; the rest are the documented extensions', () => {
    assert.equal(AGENTCORE_VENDORS.length, 25);
    assert.deepEqual(AGENTCORE_VENDORS.filter((v) => !catalog.has(v)), []);
    assert.deepEqual(VENDORS.filter((v) => !AGENTCORE_VENDORS.includes(v)), EXTENSIONS);
    assert.equal(catalog.size, (raw as unknown[]).length);
    assert.deepEqual([...catalog.keys()], VENDORS);
  });

  test('vendor → union member mapping', () => {
    for (const v of VENDORS) assert.equal(memberForVendor(v), OWN_MEMBER[v] ?? 'includedOauth2ProviderConfig', v);
  });

  for (const vendor of VENDORS) {
    test(`${vendor}: endpoints resolve to https URLs without leftover placeholders`, () => {
      const e = catalogEntryFor(vendor);
      if (!e.endpoints) {
        assert.ok(e.tenantSpecific, `${vendor} without endpoints must be tenant-specific`);
        return;
      }
      for (const [key, template] of Object.entries(e.endpoints)) {
        if (template === undefined) continue;
        const url = fillTemplate(template, SAMPLE);
        assert.ok(url, `${vendor}.${key} fills`);
        assert.doesNotMatch(url, /[{}]/);
        const u = new URL(url);
        assert.equal(u.protocol, 'https:', `${vendor}.${key}`);
        assert.equal(u.hash, '');
        assert.ok(!u.pathname.includes('//'), `${vendor}.${key} has no doubled slash`);
      }
      const resolved = resolveCatalogEndpoints(e, SAMPLE);
      assert.ok(resolved?.authorizationEndpoint && resolved.tokenEndpoint);
      if (e.endpoints.discovery) assert.match(e.endpoints.discovery, /\/\.well-known\/openid-configuration$/);
      for (const s of e.defaultScopes) assert.doesNotMatch(s, /[\s,]/, 'one scope per item');
      if (e.quirks.offlineAccessScope) assert.ok(e.defaultScopes.includes(e.quirks.offlineAccessScope) || vendor === 'MicrosoftOauth2' || vendor === 'SalesforceOauth2' || vendor === 'XOauth2');
    });
  }

  test('the quirks the data plane relies on are present', () => {
    assert.equal(catalogEntryFor('MicrosoftOauth2').quirks.offlineAccessScope, 'offline_access');
    assert.equal(catalogEntryFor('MicrosoftOauth2').quirks.m2mScopeSuffix, '/.default');
    assert.equal(catalogEntryFor('GithubOauth2').quirks.nonExpiringTokens, true);
    assert.equal(catalogEntryFor('SlackOauth2').quirks.userScopeParam, 'user_scope');
    assert.equal(catalogEntryFor('SlackOauth2').scopeSeparator, ',');
    assert.equal(catalogEntryFor('NotionOauth2').tokenAuthMethod, 'client_secret_basic');
    assert.equal(catalogEntryFor('SlackOauth2').quirks.userTokenPath, 'authed_user');
    assert.equal(catalogEntryFor('MicrosoftOauth2').quirks.noResourceIndicators, true);
    for (const v of ['OktaOauth2', 'Auth0Oauth2', 'CognitoOauth2', 'OneLoginOauth2', 'PingOneOauth2', 'CyberArkOauth2', 'FusionAuthOauth2', 'CustomOauth2'] as const) {
      assert.equal(catalogEntryFor(v).tenantSpecific, true, v);
    }
  });

  test('Microsoft endpoints follow the configured authority', () => {
    const r = resolveCatalogEndpoints(catalogEntryFor('MicrosoftOauth2'), { authorityBase: 'http://127.0.0.1:4000/', tenant: 'organizations' });
    assert.deepEqual(r, {
      authorizationEndpoint: 'http://127.0.0.1:4000/organizations/oauth2/v2.0/authorize',
      tokenEndpoint: 'http://127.0.0.1:4000/organizations/oauth2/v2.0/token',
      issuer: 'http://127.0.0.1:4000/organizations/v2.0',
      discoveryUrl: 'http://127.0.0.1:4000/organizations/v2.0/.well-known/openid-configuration',
    });
  });

  test('loading rejects malformed catalogs with a clear message (never a partial catalog)', () => {
    const good = structuredClone(raw) as Record<string, unknown>[];
    const mutate = (f: (c: Record<string, any>[]) => void) => {
      const c = structuredClone(good) as Record<string, any>[];
      f(c);
      return c;
    };
    assert.throws(() => loadCatalog(mutate((c) => { c[1]!.endpoints.token = 'https://{tennant}.example.com/token'; })), /OAuth2 provider catalog is invalid: 1\.endpoints\.token: unknown placeholder in "https:\/\/\{tennant\}\.example\.com\/token"/);
    assert.throws(() => loadCatalog(mutate((c) => { c[1]!.endpoints.authorization = 'http://accounts.example.com/auth'; })), /is not an https URL template/);
    assert.throws(() => loadCatalog(mutate((c) => { c[2]!.vendor = 'Github'; })), /2\.vendor: must be a vendor name like GoogleOauth2/);
    assert.throws(() => loadCatalog(mutate((c) => { c.push(structuredClone(c[0]!)); })), /lists MicrosoftOauth2 twice/);
    assert.throws(() => loadCatalog(mutate((c) => { c[0]!.member = 'fooConfig'; })), /0\.member/);
    assert.throws(() => loadCatalog(mutate((c) => { c[0]!.quirks.typoQuirk = true; })), /0\.quirks/);
    assert.throws(() => loadCatalog(mutate((c) => { delete c[2]!.endpoints; c[2]!.tenantSpecific = false; })), /GithubOauth2 has no endpoints and is not tenant-specific/);
    assert.throws(() => loadCatalog({}), /OAuth2 provider catalog is invalid/);
  });
});
