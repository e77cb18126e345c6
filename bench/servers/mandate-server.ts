/**
 * The Mandate server under test, in its own process (started by the driver through lib/rpc.ts): the
 * real identity service (SigV4, envelope SecretBox, data plane), the runtime and the gateway on one port, over SQLite
 * or PostgreSQL, assembled as packages/cli/src/server/start-server.ts does. Setup calls (provider,
 * workload, keys) go through the unmodified AWS control client; bulk vault rows are sealed with the
 * real SecretBox and written in large transactions (seed.ts).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BedrockAgentCoreControlClient, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { createLogger } from '@mandate/core';
import { listen, serve, type Listening } from '@mandate/http';
import { PostgresStore, SqliteStore, type Store } from '@mandate/storage';
import { createAccessKey, type AccessKeyCredentials } from '@mandate/edge';
import { mintWorkloadAccessToken } from '@mandate/identity/testing';
import { createIdentityService, type IdentityService } from '@mandate/identity';
import { LocalKeyProvider } from '@mandate/identity';
import { readVault } from '@mandate/identity/testing';
import { collections } from '@mandate/identity/testing';
import { createRuntimeRouter, type RuntimeHandle } from '@mandate/runtime';
import { createGatewayRouter, type GatewayHandle } from '@mandate/gateway';
import { writeVault } from '@mandate/identity/testing';
import type { UserBinding } from '@mandate/identity';
import { trustCa } from '@mandate/emulators';
import { serveRpc } from '../lib/rpc.ts';
import { seedVault, storageBytes, type SeedSpec } from './seed.ts';

export const REGION = 'us-west-2';
export const WORKLOAD = 'bench-agent';
export const PROVIDER = 'entra';

export interface StartSpec {
  store: 'sqlite' | 'postgres';
  dataDir: string;
  pgUrl?: string;
  pgSchema?: string;
  masterKey: string;
  entra: { url: string; caPem: string; tenantId: string; appId: string; clientSecret: string };
  returnUrl: string;
  /** Extra environment for agent processes (runtime). */
  agentEnv?: Record<string, string>;
}

export interface Started {
  url: string;
  admin: AccessKeyCredentials;
  workloadKey: AccessKeyCredentials;
  callbackUrl: string;
  pid: number;
}

let identity: IdentityService | undefined;
let runtime: RuntimeHandle | undefined;
let gateway: GatewayHandle | undefined;
let listening: Listening | undefined;
let store: Store | undefined;
let spec: StartSpec | undefined;
const providerCalls = new Map<string, number>();

/** Counts provider token-endpoint calls by grant type (the "exactly one refresh per token" meter), then passes them on. */
const countingFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url.endsWith('/oauth2/v2.0/token') && init?.body) {
    const grant = new URLSearchParams(String(init.body)).get('grant_type') ?? '?';
    providerCalls.set(grant, (providerCalls.get(grant) ?? 0) + 1);
  }
  return fetch(input, init);
};

async function start(s: StartSpec): Promise<Started> {
  spec = s;
  trustCa(s.entra.caPem);
  store = s.store === 'sqlite'
    ? await SqliteStore.open({ path: join(s.dataDir, 'mandate.db') })
    : await PostgresStore.open({ url: s.pgUrl!, schema: s.pgSchema! });
  const logger = createLogger({ level: 'warn', base: { component: 'bench-mandate' } });
  identity = await createIdentityService({
    config: { publicUrl: 'http://127.0.0.1:1', region: REGION, accountId: '123456789012', devMode: true, entraAuthorityBase: s.entra.url },
    store,
    keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: s.masterKey }),
    logger,
    fetch: countingFetch,
  });
  runtime = createRuntimeRouter(identity.services, identity.port, { maxLiveSessions: 64, agentEnv: s.agentEnv ?? {} }, identity.router);
  gateway = createGatewayRouter(identity.services, identity.port, {}, identity.router);
  listening = await listen(serve(identity.router, { logger }));
  identity.services.config.publicUrl = listening.url;
  const admin = await createAccessKey(identity.services, { role: 'admin', allowUserIdTokens: true });
  const control = new BedrockAgentCoreControlClient({ endpoint: listening.url, region: REGION, credentials: admin, maxAttempts: 1 });
  const p = await control.send(new CreateOauth2CredentialProviderCommand({
    name: PROVIDER,
    credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: s.entra.appId, clientSecret: s.entra.clientSecret, tenantId: s.entra.tenantId } },
  }));
  await control.send(new CreateWorkloadIdentityCommand({ name: WORKLOAD, allowedResourceOauth2ReturnUrls: [s.returnUrl] }));
  control.destroy();
  const workloadKey = await createAccessKey(identity.services, { role: 'workload', workloadName: WORKLOAD, allowUserIdTokens: true });
  return { url: listening.url, admin, workloadKey, callbackUrl: p.callbackUrl!, pid: process.pid };
}

function services() {
  if (!identity) throw new Error('not started');
  return identity.services;
}

serveRpc({
  start: (s: StartSpec) => start(s),
  /** Workload access tokens for user ids (what GetWorkloadAccessTokenForUserId returns), minted in bulk. */
  mintWats: async (a: { userIds: string[] }) => {
    const out: string[] = [];
    for (const userId of a.userIds) out.push(await mintWorkloadAccessToken(services(), { workloadName: WORKLOAD, user: { kind: 'userId', userId } }));
    return out;
  },
  seed: (a: SeedSpec) => seedVault(services(), spec!, a),
  /** The decrypted refresh token of one vault row (to seed storm rows with a real provider refresh token). */
  refreshTokenOf: async (a: { userId: string; scopes: string[] }) => {
    const e = await readVault(services(), { workloadName: WORKLOAD, user: { kind: 'userId', userId: a.userId }, providerName: PROVIDER, scopes: a.scopes });
    return e?.refreshToken ?? null;
  },
  /** A consented user's token, planted in the vault of another workload (the gateway's) as a completed consent would leave it. */
  plantToken: async (a: { workloadName: string; user: UserBinding; scopes: string[]; accessToken: string; expiresAt: number }) => {
    await writeVault(services(), { workloadName: a.workloadName, user: a.user, providerName: PROVIDER, scopes: a.scopes }, { accessToken: a.accessToken, expiresAt: a.expiresAt });
    return null;
  },
  providerCalls: () => Object.fromEntries(providerCalls),
  resetProviderCalls: () => {
    providerCalls.clear();
    return null;
  },
  stats: async () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    const st = store!;
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, storageBytes: await storageBytes(st, spec!), sqliteFileBytes: st.kind === 'sqlite' ? fileSize(join(spec!.dataDir, 'mandate.db')) : 0 };
  },
  vaultCount: async () => services().store.count(collections.vaultTokens),
}, async () => {
  await runtime?.close();
  await gateway?.close();
  await listening?.close();
  await identity?.close();
  await store?.close();
});

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}
