// The granted-scope rule behind the "consent for scopes that were not asked for" attack (oauth-flow-attacks.test.ts):
// which token responses fail a session, per vendor convention, without calling a provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingScopes } from '@mandate/identity/testing';
import type { ProviderClient } from '@mandate/identity/testing';

// Vendor behaviour is the catalog's quirks (vendors.json); these are the ones each vendor there sets.
const pc = (vendor: string, quirks: ProviderClient['quirks'] = {}) => ({ doc: { vendor }, quirks }) as unknown as ProviderClient;
const entra = pc('MicrosoftOauth2', { offlineAccessScope: 'offline_access', grantedScopePrefix: 'https://graph.microsoft.com/' });

test('no scope in the response means exactly what was asked (RFC 6749 §5.1)', () => {
  assert.deepEqual(missingScopes(entra, ['api://x/read'], undefined), []);
});

test('Entra: Graph short and long forms are equal, OIDC scopes and .default are not compared, case does not matter', () => {
  assert.deepEqual(missingScopes(entra, ['User.Read', 'openid', 'offline_access'], 'openid profile https://graph.microsoft.com/User.Read'), []);
  assert.deepEqual(missingScopes(entra, ['https://graph.microsoft.com/Mail.Read'], 'mail.read'), []);
  assert.deepEqual(missingScopes(entra, ['api://x/.default'], 'api://x/read'), []);
});

test('Entra: a token for another resource or another permission misses the requested scope', () => {
  assert.deepEqual(missingScopes(entra, ['api://x/read'], 'https://graph.microsoft.com/User.Read'), ['api://x/read']);
  assert.deepEqual(missingScopes(entra, ['api://x/read', 'api://x/write'], 'api://x/read'), ['api://x/write']);
});

test('comma-separated grants (GitHub) and vendor refresh scopes (Salesforce)', () => {
  assert.deepEqual(missingScopes(pc('GithubOauth2'), ['repo', 'user'], 'repo,user'), []);
  assert.deepEqual(missingScopes(pc('GithubOauth2'), ['repo', 'user'], 'repo'), ['user']);
  assert.deepEqual(missingScopes(pc('SalesforceOauth2', { offlineAccessScope: 'refresh_token' }), ['api', 'refresh_token'], 'api'), []);
});

test('vendors whose response scope does not describe the user token are not checked (Slack, Notion)', () => {
  assert.deepEqual(missingScopes(pc('SlackOauth2', { grantedScopeUnreliable: true }), ['channels:read'], 'incoming-webhook'), []);
  assert.deepEqual(missingScopes(pc('NotionOauth2', { noScopes: true }), ['x'], ''), []);
});
