import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, MandateError } from '@mandate/core';
import { MemoryStore } from '@mandate/storage';
import { accessKeySecretContext, createAccessKey, ensureBootstrapAdminKey, listAccessKeys, revokeAccessKey, SigV4Authenticator } from '@mandate/edge';
import { ACCESS_KEYS, type AccessKeyDoc } from '@mandate/edge';
import { EnvelopeSecretBox, LocalKeyProvider } from '@mandate/identity';

function services() {
  const store = new MemoryStore();
  const secrets = new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 4).toString('base64') }) });
  return { store, secrets, clock: new ManualClock() };
}

describe('access keys', () => {
  test('create: AWS-shaped credentials; the secret is stored sealed, bound to the key id', async () => {
    const s = services();
    const creds = await createAccessKey(s, { role: 'workload', workloadName: 'agent-1', description: 'ci' });
    assert.match(creds.accessKeyId, /^MKIA[A-Z2-7]{16}$/);
    assert.match(creds.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
    const rec = await s.store.get<AccessKeyDoc>(ACCESS_KEYS, creds.accessKeyId);
    assert.ok(!JSON.stringify(rec).includes(creds.secretAccessKey));
    assert.deepEqual({ ...rec!.doc, secret: undefined }, { accessKeyId: creds.accessKeyId, secret: undefined, role: 'workload', workloadName: 'agent-1', allowUserIdTokens: false, description: 'ci', status: 'Active', createdTime: s.clock.now() });
    assert.equal(await s.secrets.open(rec!.doc.secret, accessKeySecretContext(creds.accessKeyId)), creds.secretAccessKey);
  });

  test('create validates role and workload binding', async () => {
    const s = services();
    await assert.rejects(createAccessKey(s, { role: 'workload' }), { name: 'MandateError', code: 'validation', message: 'A workload access key needs a workloadName.' });
    await assert.rejects(createAccessKey(s, { role: 'admin', workloadName: 'x' }), { code: 'validation', message: 'An admin access key is not tied to a workload.' });
    await assert.rejects(createAccessKey(s, { role: 'root' as 'admin' }), { code: 'validation', message: 'role must be admin or workload.' });
    assert.equal(await s.store.count(ACCESS_KEYS), 0);
  });

  test('list never returns secrets; revoke marks Revoked; unknown key → not_found', async () => {
    const s = services();
    const a = await createAccessKey(s, { role: 'admin' });
    const w = await createAccessKey(s, { role: 'workload', workloadName: 'agent-1', allowUserIdTokens: true });
    const all = await listAccessKeys(s);
    assert.equal(all.length, 2);
    for (const k of all) assert.equal('secret' in k, false);
    assert.deepEqual((await listAccessKeys(s, { workloadName: 'agent-1' })).map((k) => [k.accessKeyId, k.allowUserIdTokens]), [[w.accessKeyId, true]]);
    await revokeAccessKey(s, a.accessKeyId);
    await revokeAccessKey(s, a.accessKeyId); // idempotent
    assert.equal((await listAccessKeys(s)).find((k) => k.accessKeyId === a.accessKeyId)!.status, 'Revoked');
    await assert.rejects(revokeAccessKey(s, 'MKIANOPE'), { code: 'not_found', message: 'Access key MKIANOPE does not exist.' });
  });

  test('bootstrap admin key: created once on first start, even under concurrent starts; never re-created', async () => {
    const s = services();
    const results = await Promise.all(Array.from({ length: 5 }, () => ensureBootstrapAdminKey(s)));
    const created = results.filter((r) => r !== undefined);
    assert.equal(created.length, 1);
    const keys = await listAccessKeys(s);
    assert.deepEqual(keys.map((k) => [k.accessKeyId, k.role, k.status]), [[created[0]!.accessKeyId, 'admin', 'Active']]);
    await revokeAccessKey(s, created[0]!.accessKeyId);
    assert.equal(await ensureBootstrapAdminKey(s), undefined);
  });

  test('a key row whose sealed secret was swapped with another key’s is rejected, not served', async () => {
    const s = services();
    const a = await createAccessKey(s, { role: 'admin' });
    const b = await createAccessKey(s, { role: 'workload', workloadName: 'w' });
    const ra = await s.store.get<AccessKeyDoc>(ACCESS_KEYS, a.accessKeyId);
    const rb = await s.store.get<AccessKeyDoc>(ACCESS_KEYS, b.accessKeyId);
    // An attacker with database write access copies the admin secret into the workload row.
    await s.store.put(ACCESS_KEYS, b.accessKeyId, { ...rb!.doc, secret: ra!.doc.secret });
    await assert.rejects(s.secrets.open(ra!.doc.secret, accessKeySecretContext(b.accessKeyId)), (e: unknown) => e instanceof MandateError && e.code === 'decryption_failure');
    const auth = new SigV4Authenticator({ store: s.store, secrets: s.secrets, region: 'us-west-2', clock: s.clock });
    const req = {
      method: 'POST',
      headers: {
        host: 'h',
        'x-amz-date': '20261129T120000Z',
        authorization: `AWS4-HMAC-SHA256 Credential=${b.accessKeyId}/20261129/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
    };
    await assert.rejects(auth.authenticate(req as never, '/', '', Buffer.alloc(0)), { name: 'MandateError', code: 'unrecognized_client', awsType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
  });
});
