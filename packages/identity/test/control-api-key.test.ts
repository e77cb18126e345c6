import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ConflictException, CreateApiKeyCredentialProviderCommand, DeleteApiKeyCredentialProviderCommand, GetApiKeyCredentialProviderCommand,
  ListApiKeyCredentialProvidersCommand, ResourceNotFoundException, UpdateApiKeyCredentialProviderCommand, ValidationException,
  paginateListApiKeyCredentialProviders,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { collections, type ApiKeyProviderDoc } from '../src/model.ts';
import { ACCOUNT, REGION, snapshot, startControlServer, type ControlHarness } from './helpers/control-server.ts';

let h: ControlHarness;
before(async () => { h = await startControlServer(); });
after(async () => { await h.close(); });

const KEY = 'sk-live-' + 'A1b2'.repeat(8);
const KEY2 = 'sk-live-' + 'Z9y8'.repeat(8);
const arn = (name: string) => `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:token-vault/default/apikeycredentialprovider/${name}`;

async function opened(name: string): Promise<string> {
  const doc = (await h.store.get<ApiKeyProviderDoc>(collections.apiKeyProviders, name))!.doc;
  assert.ok(!JSON.stringify(doc).includes(KEY) && !JSON.stringify(doc).includes(KEY2), 'stored sealed only');
  return h.identity.services.secrets.open(doc.apiKey!, { kind: 'api-key', provider: name });
}

describe('API-key credential providers through the unmodified control-plane client', () => {
  test('create → get → update → list → delete; the key is sealed and never echoed', async () => {
    const c = await h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'openai', apiKey: KEY, tags: { env: 'dev' } }));
    assert.equal(c.$metadata.httpStatusCode, 201);
    assert.equal(c.name, 'openai');
    assert.equal(c.credentialProviderArn, arn('openai'));
    assert.match(c.apiKeySecretArn!.secretArn!, new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bedrock-agentcore-identity!default/apikey/openai-[A-Za-z0-9]{6}$`));
    assert.equal(c.apiKeySecretSource, 'MANAGED');
    assert.equal(c.apiKeySecretJsonKey, 'api_key_value');
    assert.ok(!JSON.stringify(c).includes(KEY));
    assert.equal(await opened('openai'), KEY);

    const g = await h.client.send(new GetApiKeyCredentialProviderCommand({ name: 'openai' }));
    assert.equal(g.credentialProviderArn, arn('openai'));
    assert.equal(g.apiKeySecretArn?.secretArn, c.apiKeySecretArn?.secretArn);
    assert.ok(g.createdTime instanceof Date);
    assert.ok(!JSON.stringify(g).includes(KEY));

    const u = await h.client.send(new UpdateApiKeyCredentialProviderCommand({ name: 'openai', apiKey: KEY2 }));
    assert.equal(u.$metadata.httpStatusCode, 200);
    assert.deepEqual(u.createdTime, g.createdTime);
    assert.ok(!JSON.stringify(u).includes(KEY2));
    assert.equal(await opened('openai'), KEY2);
    // Without apiKey the stored key stays.
    await h.client.send(new UpdateApiKeyCredentialProviderCommand({ name: 'openai' }));
    assert.equal(await opened('openai'), KEY2);

    const l = await h.client.send(new ListApiKeyCredentialProvidersCommand({}));
    assert.deepEqual(l.credentialProviders?.map((p) => [p.name, p.credentialProviderArn]), [['openai', arn('openai')]]);
    assert.ok(l.credentialProviders?.[0]?.createdTime instanceof Date);

    assert.deepEqual((await h.store.get(collections.tags, arn('openai')))?.doc, { tags: { env: 'dev' } });
    const d = await h.client.send(new DeleteApiKeyCredentialProviderCommand({ name: 'openai' }));
    assert.equal(d.$metadata.httpStatusCode, 204);
    assert.equal(await h.store.get(collections.apiKeyProviders, 'openai'), undefined);
    assert.equal(await h.store.get(collections.tags, arn('openai')), undefined);
    assert.ok(!h.logLines.join('\n').includes(KEY) && !h.logLines.join('\n').includes(KEY2));
    const raw = h.responseBodies.join('\n');
    assert.ok(h.responseBodies.length === 6 && !raw.includes(KEY) && !raw.includes(KEY2), 'no raw response carries the key');
  });

  test('the paginator crosses pages', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    for (const name of names) await h.client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: KEY }));
    const seen: string[] = [];
    let pages = 0;
    for await (const p of paginateListApiKeyCredentialProviders({ client: h.client, pageSize: 5 }, {})) {
      pages++;
      seen.push(...p.credentialProviders!.map((x) => x.name!));
    }
    assert.deepEqual(seen, names);
    assert.equal(pages, 3);
    for (const name of names) await h.client.send(new DeleteApiKeyCredentialProviderCommand({ name }));
  });

  test('errors: missing key, external secret, duplicate, unknown, oversized key — the store is unchanged', async () => {
    await h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'taken', apiKey: KEY }));
    const before = await snapshot(h.store, Object.values(collections));
    await assert.rejects(h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'nokey' })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'apiKey', message: 'Member must not be null' }]);
      return true;
    });
    await assert.rejects(h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'ext', apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: 's', jsonKey: 'k' } })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.equal(e.message, 'apiKeySecretSource EXTERNAL (apiKeySecretConfig) is not supported by Mandate: there is no AWS Secrets Manager to read it from. Pass apiKey instead; Mandate encrypts it in its own vault.');
      return true;
    });
    await assert.rejects(h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'taken', apiKey: KEY2 })), (e: unknown) => {
      assert.ok(e instanceof ConflictException);
      assert.equal(e.message, 'An API key credential provider named taken already exists.');
      return true;
    });
    await assert.rejects(h.client.send(new CreateApiKeyCredentialProviderCommand({ name: 'big', apiKey: 'k'.repeat(2049) })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'apiKey', message: 'Member must have length less than or equal to 2048' }]);
      assert.ok(!e.message.includes('kkkk'), 'the rejected value is not echoed');
      return true;
    });
    for (const send of [
      () => h.client.send(new GetApiKeyCredentialProviderCommand({ name: 'ghost' })),
      () => h.client.send(new UpdateApiKeyCredentialProviderCommand({ name: 'ghost', apiKey: KEY })),
      () => h.client.send(new DeleteApiKeyCredentialProviderCommand({ name: 'ghost' })),
    ]) {
      await assert.rejects(send(), (e: unknown) => {
        assert.ok(e instanceof ResourceNotFoundException);
        assert.equal(e.message, 'The API key credential provider ghost does not exist.');
        return true;
      });
    }
    assert.equal(await snapshot(h.store, Object.values(collections)), before);
  });
});
