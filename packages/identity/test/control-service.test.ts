import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BedrockAgentCoreControlClient, CreateOauth2CredentialProviderCommand, GetOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { memoryLogger } from '@mandate/core';
import { createAccessKey } from '@mandate/edge';
import { collections, type Oauth2ProviderDoc } from '../src/model.ts';
import { createIdentityService } from '../src/server.ts';

/** createIdentityService with no injected store or key: openStore (SQLite) and the local master key ring under dataDir. */
const dirs: string[] = [];
after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

describe('createIdentityService defaults', () => {
  test('providers, access keys and sealed secrets survive a restart (SQLite + master.key in dataDir)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mandate-ctl-'));
    dirs.push(dataDir);
    const config = { publicUrl: 'https://mandate.example.test/', region: 'us-west-2', accountId: '123456789012' };
    const env = {}; // no MANDATE_MASTER_KEY: the ring file is created
    const first = await createIdentityService({ config, dataDir, env, logger: memoryLogger() });
    assert.equal(first.services.store.kind, 'sqlite');
    assert.equal(first.services.config.publicUrl, 'https://mandate.example.test', 'trailing slash trimmed');
    assert.equal((await stat(join(dataDir, 'master.key'))).mode & 0o777, 0o600);
    const admin = await createAccessKey(first.services, { role: 'admin' });
    const l1 = await first.listen();
    const c1 = new BedrockAgentCoreControlClient({ endpoint: l1.url, region: 'us-west-2', credentials: admin, maxAttempts: 1 });
    const created = await c1.send(new CreateOauth2CredentialProviderCommand({ name: 'persist', credentialProviderVendor: 'GoogleOauth2', oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 'persisted-secret' } } }));
    c1.destroy();
    await l1.close();
    await first.close();

    const second = await createIdentityService({ config, dataDir, env, logger: memoryLogger() });
    const l2 = await second.listen();
    const c2 = new BedrockAgentCoreControlClient({ endpoint: l2.url, region: 'us-west-2', credentials: admin, maxAttempts: 1 });
    try {
      const got = await c2.send(new GetOauth2CredentialProviderCommand({ name: 'persist' }));
      assert.equal(got.callbackUrl, created.callbackUrl);
      const doc = (await second.services.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, 'persist'))!.doc;
      assert.equal(await second.services.secrets.open(doc.clientSecret!, { kind: 'oauth2-client-secret', provider: 'persist' }), 'persisted-secret');
    } finally {
      c2.destroy();
      await l2.close();
      await second.close();
    }
  });
});
