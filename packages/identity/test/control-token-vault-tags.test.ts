import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand, DeleteWorkloadIdentityCommand,
  GetTokenVaultCommand, ListTagsForResourceCommand, ResourceNotFoundException, SetTokenVaultCMKCommand, TagResourceCommand,
  UntagResourceCommand, ValidationException,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { collections } from '../src/model.ts';
import { ACCOUNT, REGION, snapshot, startControlServer, type ControlHarness } from './helpers/control-server.ts';

let h: ControlHarness;
before(async () => { h = await startControlServer(); });
after(async () => { await h.close(); });

const VAULT_ARN = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:token-vault/default`;
const WI_ARN = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:workload-identity-directory/default/workload-identity/tagged`;

describe('token vault', () => {
  test('GetTokenVault reports the key actually protecting the vault, with a stable lastModifiedDate', async () => {
    const a = await h.client.send(new GetTokenVaultCommand({}));
    assert.equal(a.$metadata.httpStatusCode, 200);
    assert.equal(a.tokenVaultId, 'default');
    assert.deepEqual(a.kmsConfiguration, { keyType: 'ServiceManagedKey' });
    assert.ok(a.lastModifiedDate instanceof Date);
    const b = await h.client.send(new GetTokenVaultCommand({ tokenVaultId: 'default' }));
    assert.deepEqual(b.lastModifiedDate, a.lastModifiedDate);
    await assert.rejects(h.client.send(new GetTokenVaultCommand({ tokenVaultId: 'other' })), (e: unknown) => {
      assert.ok(e instanceof ResourceNotFoundException);
      assert.equal(e.message, 'The token vault other does not exist. Mandate has one token vault, default.');
      return true;
    });
  });

  test('SetTokenVaultCMK: the configuration in force is accepted; a key this deployment does not hold is refused', async () => {
    const ok = await h.client.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'ServiceManagedKey' } }));
    assert.equal(ok.$metadata.httpStatusCode, 200);
    assert.deepEqual(ok.kmsConfiguration, { keyType: 'ServiceManagedKey' });
    const before = await snapshot(h.store, [collections.tokenVaults]);
    const kmsKeyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    await assert.rejects(h.client.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'CustomerManagedKey', kmsKeyArn } })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.equal(e.message, `The KMS key ${kmsKeyArn} is not available to this Mandate deployment; it encrypts the token vault with its service managed (local) master key. Change the key provider in the server configuration instead.`);
      assert.deepEqual(e.fieldList, [{ name: 'kmsConfiguration.kmsKeyArn', message: 'Member is not available on this deployment' }]);
      return true;
    });
    await assert.rejects(h.client.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'CustomerManagedKey' } })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'kmsConfiguration.kmsKeyArn', message: 'Member must not be null' }]);
      return true;
    });
    await assert.rejects(h.client.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'Rot13' as never } })), ValidationException);
    await assert.rejects(h.client.send(new SetTokenVaultCMKCommand({} as never)), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'kmsConfiguration', message: 'Member must not be null' }]);
      return true;
    });
    assert.equal(await snapshot(h.store, [collections.tokenVaults]), before);
  });
});

describe('tags', () => {
  test('tags given at create, TagResource merges, UntagResource removes (repeated tagKeys), ListTagsForResource reads', async () => {
    await h.client.send(new CreateWorkloadIdentityCommand({ name: 'tagged', tags: { team: 'a', env: 'dev' } }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: WI_ARN }))).tags, { team: 'a', env: 'dev' });
    const t = await h.client.send(new TagResourceCommand({ resourceArn: WI_ARN, tags: { env: 'prod', cost: '42' } }));
    assert.equal(t.$metadata.httpStatusCode, 204);
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: WI_ARN }))).tags, { team: 'a', env: 'prod', cost: '42' });
    const u = await h.client.send(new UntagResourceCommand({ resourceArn: WI_ARN, tagKeys: ['team', 'cost', 'absent'] }));
    assert.equal(u.$metadata.httpStatusCode, 204);
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: WI_ARN }))).tags, { env: 'prod' });
    await h.client.send(new UntagResourceCommand({ resourceArn: WI_ARN, tagKeys: ['env'] }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: WI_ARN }))).tags, {});
    await h.client.send(new DeleteWorkloadIdentityCommand({ name: 'tagged' }));
  });

  test('every resource kind is taggable: providers, API keys, workload identities, the token vault', async () => {
    await h.client.send(new CreateOauth2CredentialProviderCommand({ name: 'gh', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } }, tags: { k: 'oauth' } }));
    await h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'ak', apiKey: 'k', tags: { k: 'apikey' } }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: `${VAULT_ARN}/oauth2credentialprovider/gh` }))).tags, { k: 'oauth' });
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: `${VAULT_ARN}/apikeycredentialprovider/ak` }))).tags, { k: 'apikey' });
    await h.client.send(new TagResourceCommand({ resourceArn: VAULT_ARN, tags: { k: 'vault' } }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: VAULT_ARN }))).tags, { k: 'vault' });
  });

  test('unknown or foreign ARNs are ResourceNotFoundException; bad input is ValidationException; nothing is written', async () => {
    const before = await snapshot(h.store, Object.values(collections));
    const unknown = [
      `${VAULT_ARN}/oauth2credentialprovider/ghost`,
      `arn:aws:bedrock-agentcore:eu-west-1:${ACCOUNT}:token-vault/default`,
      `arn:aws:bedrock-agentcore:${REGION}:999999999999:token-vault/default`,
      `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/foo-AbCdEf1234`,
    ];
    for (const resourceArn of unknown) {
      for (const send of [
        () => h.client.send(new TagResourceCommand({ resourceArn, tags: { a: 'b' } })),
        () => h.client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a'] })),
        () => h.client.send(new ListTagsForResourceCommand({ resourceArn })),
      ]) {
        await assert.rejects(send(), (e: unknown) => {
          assert.ok(e instanceof ResourceNotFoundException, resourceArn);
          assert.equal(e.message, `The resource ${resourceArn} does not exist.`);
          return true;
        });
      }
    }
    await assert.rejects(h.client.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList?.map((f) => f.name), ['resourceArn']);
      return true;
    });
    await assert.rejects(h.client.send(new TagResourceCommand({ resourceArn: VAULT_ARN, tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'tags', message: 'Member must have length less than or equal to 50' }]);
      return true;
    });
    await assert.rejects(h.client.send(new UntagResourceCommand({ resourceArn: VAULT_ARN, tagKeys: [] })), ValidationException);
    await assert.rejects(h.client.send(new TagResourceCommand({ resourceArn: VAULT_ARN, tags: { 'bad<key>': 'v' } })), ValidationException);
    assert.equal(await snapshot(h.store, Object.values(collections)), before);
  });
});
