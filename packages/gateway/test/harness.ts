// A live Mandate server for the gateway tests: the real identity service and the gateway on one Router and
// one port, with the unmodified AgentCore control client.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { memoryLogger } from '@mandate/core';
import { listen, serve, type Listening } from '@mandate/http';
import { MemoryStore, type Store } from '@mandate/storage';
import { createAccessKey, type AccessKeyCredentials } from '@mandate/edge';
import { createIdentityService, LocalKeyProvider, type IdentityService } from '@mandate/identity';
import { createGatewayRouter, type GatewayHandle, type GatewayOptions } from '../src/index.ts';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';

export interface Mandate {
  url: string;
  identity: IdentityService;
  gateway: GatewayHandle;
  admin: AccessKeyCredentials;
  control: BedrockAgentCoreControlClient;
  logLines: string[];
  close(): Promise<void>;
}

/** A loopback port nothing listens on (a server that is down). */
export const closedPort = () => freePort();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startMandate(options: { entraAuthorityBase?: string; store?: Store; masterKey?: string; gateway?: GatewayOptions } = {}): Promise<Mandate> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logger = memoryLogger('info');
  const identity = await createIdentityService({
    config: { publicUrl: url, region: REGION, accountId: ACCOUNT, devMode: true, ...(options.entraAuthorityBase ? { entraAuthorityBase: options.entraAuthorityBase } : {}) },
    store: options.store ?? new MemoryStore(),
    keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: options.masterKey ?? randomBytes(32).toString('base64') }),
    logger,
  });
  const gateway = createGatewayRouter(identity.services, identity.port, options.gateway ?? {}, identity.router);
  const listening: Listening = await listen(serve(identity.router, { logger }), port);
  const admin = await createAccessKey(identity.services, { role: 'admin' });
  const control = new BedrockAgentCoreControlClient({ endpoint: url, region: REGION, credentials: admin, maxAttempts: 1 });
  return {
    url, identity, gateway, admin, control, logLines: logger.lines,
    close: async () => {
      control.destroy();
      await gateway.close();
      await listening.close();
      await identity.close();
    },
  };
}

export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/gateway`;
