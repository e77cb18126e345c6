import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  ConflictException, CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand,
  DeleteOauth2CredentialProviderCommand, GetOauth2CredentialProviderCommand, ListTagsForResourceCommand, TagResourceCommand,
  UpdateOauth2CredentialProviderCommand, ValidationException, paginateListOauth2CredentialProviders,
} from '@aws-sdk/client-bedrock-agentcore-control';
import pg from 'pg';
import { PostgresStore } from '@mandate/storage';
import { collections, type Oauth2ProviderDoc } from '../src/model.ts';
import { snapshot, startControlServer, type ControlHarness } from './helpers/control-server.ts';

/** The same control plane on PostgreSQL: transactions, conflicts and pagination on a real database. */
const DATABASE_URL = process.env.MANDATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `t_ctl_${randomBytes(6).toString('hex')}`;
let h: ControlHarness;

before(async () => {
  h = await startControlServer({ store: await PostgresStore.open({ url: DATABASE_URL, schema }) });
});
after(async () => {
  await h.close();
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await c.end();
  }
});

const SECRET = 'pg-secret-' + randomBytes(8).toString('hex');

describe('control plane on PostgreSQL', () => {
  test('lifecycle, pagination and tags', async () => {
    for (let i = 0; i < 12; i++) {
      const r = await h.client.send(new CreateOauth2CredentialProviderCommand({ name: `gh-${String(i).padStart(2, '0')}`, credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: `c${i}`, clientSecret: SECRET } }, tags: { i: String(i) } }));
      assert.equal(r.$metadata.httpStatusCode, 201);
    }
    const names: string[] = [];
    for await (const page of paginateListOauth2CredentialProviders({ client: h.client, pageSize: 5 }, {})) names.push(...page.credentialProviders!.map((p) => p.name!));
    assert.deepEqual(names, Array.from({ length: 12 }, (_, i) => `gh-${String(i).padStart(2, '0')}`));
    const u = await h.client.send(new UpdateOauth2CredentialProviderCommand({ name: 'gh-03', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'changed' } } }));
    assert.deepEqual(u.oauth2ProviderConfigOutput, { githubOauth2ProviderConfig: { clientId: 'changed', oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://github.com', authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token', responseTypes: ['code'] } } } });
    const arn = (await h.client.send(new GetOauth2CredentialProviderCommand({ name: 'gh-03' }))).credentialProviderArn!;
    await h.client.send(new TagResourceCommand({ resourceArn: arn, tags: { extra: 'yes' } }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { i: '3', extra: 'yes' });
    const doc = (await h.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'gh-03'))!.doc;
    assert.equal(await h.identity.services.secrets.open(doc.clientSecret!, { kind: 'oauth2-client-secret', provider: 'gh-03' }), SECRET);
    await h.client.send(new DeleteOauth2CredentialProviderCommand({ name: 'gh-03' }));
    assert.equal(await h.store.get(collections.tags, arn), undefined);
    assert.equal(await h.store.get(collections.oauth2Callbacks, doc.callbackId), undefined);
    assert.ok(!h.responseBodies.join('\n').includes(SECRET));
  });

  test('failing calls leave the database unchanged; concurrent duplicate creates yield one winner and ConflictExceptions', async () => {
    await h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'ak', apiKey: SECRET }));
    const before = await snapshot(h.store, Object.values(collections));
    await assert.rejects(h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'ak', apiKey: 'other' })), ConflictException);
    await assert.rejects(h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'x', credentialProviderVendor: 'SlackOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } } })), ValidationException);
    assert.equal(await snapshot(h.store, Object.values(collections)), before);

    const results = await Promise.allSettled(Array.from({ length: 8 }, () => h.client.send(new CreateWorkloadIdentityCommand({ name: 'race', tags: { t: '1' } }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictException, String(r.reason));
  });
});
