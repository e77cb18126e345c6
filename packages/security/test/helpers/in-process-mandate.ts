import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { memoryLogger, type Logger } from '@mandate/core';
import type { Store } from '@mandate/storage';
import { createAccessKey } from '@mandate/edge';
import { createIdentityService } from '@mandate/identity';
import type { KeyProvider } from '@mandate/identity';
import type { Mandate } from '@mandate/identity/test-harness';

/**
 * Like data-harness startMandate, but with any key provider (e.g. a master-key ring file that a rotation
 * changes) and any logger (the canary tests pass a memoryLogger they scan).
 */
export async function startMandateWith(o: { store: Store; keyProvider: KeyProvider; entraAuthorityBase: string; logger?: Logger & { lines?: string[] }; fetch?: typeof fetch }): Promise<Mandate> {
  const logger = o.logger ?? memoryLogger();
  const identity = await createIdentityService({
    config: { publicUrl: 'http://127.0.0.1:1', region: 'us-west-2', accountId: '123456789012', devMode: true, entraAuthorityBase: o.entraAuthorityBase },
    store: o.store,
    keyProvider: o.keyProvider,
    logger,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const listening = await identity.listen();
  identity.services.config.publicUrl = listening.url;
  const admin = await createAccessKey(identity.services, { role: 'admin' });
  return {
    url: listening.url,
    identity,
    admin,
    control: new BedrockAgentCoreControlClient({ endpoint: listening.url, region: 'us-west-2', credentials: admin, maxAttempts: 1 }),
    data: new BedrockAgentCoreClient({ endpoint: listening.url, region: 'us-west-2', credentials: admin, maxAttempts: 1 }),
    logLines: (logger as { lines?: string[] }).lines ?? [],
    close: async () => {
      await listening.close();
      await identity.close();
    },
  };
}
