import { randomBytes } from 'node:crypto';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { memoryLogger, type Clock } from '@mandate/core';
import type { Listening } from '@mandate/http';
import { MemoryStore, type Store } from '@mandate/storage';
import { startEntraEmulator, demoSeed, type EntraEmulator, type EntraSeed } from '@mandate/emulators';
import { trustCa } from '@mandate/emulators';
import { createAccessKey, type AccessKeyCredentials } from '@mandate/edge';
import { createIdentityService, type IdentityService } from '../src/server.ts';
import { LocalKeyProvider } from '../src/vault/index.ts';
import { collections, type WorkloadIdentityDoc } from '../src/model.ts';

export const REGION = 'us-west-2';

/** The Entra emulator (headless: a login_hint signs in and consents) with the seed notebook's tenant. */
export interface Entra {
  emulator: EntraEmulator;
  seed: EntraSeed;
  tenantId: string;
  appId: string;
  clientSecret: string;
  alice: string;
  bob: string;
  /** Requests to the token endpoint, by grant_type. */
  tokenCalls: Map<string, number>;
  close(): Promise<void>;
}

export async function startEntra(): Promise<Entra> {
  const seed = demoSeed();
  const tenant = seed.tenants[0]!;
  const app = tenant.apps![0]!;
  const emulator = await startEntraEmulator({ seed, headless: true });
  trustCa(emulator.caCertPem);
  return {
    emulator,
    seed,
    tenantId: tenant.id,
    appId: app.appId,
    clientSecret: app.clientSecrets![0]!.value,
    alice: tenant.users![0]!.username,
    bob: tenant.users![1]!.username,
    tokenCalls: new Map(),
    close: () => emulator.close(),
  };
}

/** A fetch that counts token-endpoint calls per grant type before passing them on (the provider-call meter). */
export function countingFetch(entra: Entra): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/oauth2/v2.0/token') && init?.body) {
      const grant = new URLSearchParams(String(init.body)).get('grant_type') ?? '?';
      entra.tokenCalls.set(grant, (entra.tokenCalls.get(grant) ?? 0) + 1);
    }
    return fetch(input, init);
  };
}

export interface Mandate {
  url: string;
  identity: IdentityService;
  admin: AccessKeyCredentials;
  control: BedrockAgentCoreControlClient;
  data: BedrockAgentCoreClient;
  logLines: string[];
  close(): Promise<void>;
}

/** A live Mandate identity server (real SecretBox, SigV4, router) on loopback, with official clients. */
export async function startMandate(options: { store?: Store; masterKey?: string; fetch?: typeof fetch; entraAuthorityBase: string; clock?: Clock }): Promise<Mandate> {
  const logger = memoryLogger();
  const identity = await createIdentityService({
    config: { publicUrl: 'http://127.0.0.1:1', region: REGION, accountId: '123456789012', devMode: true, entraAuthorityBase: options.entraAuthorityBase },
    store: options.store ?? new MemoryStore(),
    keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: options.masterKey ?? randomBytes(32).toString('base64') }),
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const listening: Listening = await identity.listen();
  identity.services.config.publicUrl = listening.url;
  const admin = await createAccessKey(identity.services, { role: 'admin' });
  return {
    url: listening.url,
    identity,
    admin,
    control: new BedrockAgentCoreControlClient({ endpoint: listening.url, region: REGION, credentials: admin, maxAttempts: 1 }),
    data: dataClient(listening.url, admin),
    logLines: logger.lines,
    close: () => listening.close(),
  };
}

export function dataClient(url: string, credentials: AccessKeyCredentials): BedrockAgentCoreClient {
  return new BedrockAgentCoreClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1 });
}

/** Registers the Entra app as a MicrosoftOauth2 provider and its callback URL at the emulator. */
export async function createEntraProvider(m: Mandate, entra: Entra, name = 'entra'): Promise<{ callbackUrl: string }> {
  const out = await m.control.send(new CreateOauth2CredentialProviderCommand({
    name,
    credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: entra.appId, clientSecret: entra.clientSecret, tenantId: entra.tenantId } },
  }));
  entra.emulator.directory.addRedirectUri(entra.tenantId, entra.appId, out.callbackUrl!);
  return { callbackUrl: out.callbackUrl! };
}

export async function createWorkload(m: Mandate, name: string, returnUrls: string[], inboundJwt?: WorkloadIdentityDoc['inboundJwt']): Promise<void> {
  await m.control.send(new CreateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: returnUrls }));
  if (inboundJwt) {
    const rec = await m.identity.services.store.get<WorkloadIdentityDoc>(collections.workloadIdentities, name);
    await m.identity.services.store.put(collections.workloadIdentities, name, { ...rec!.doc, inboundJwt });
  }
}

export async function workloadKey(m: Mandate, workloadName: string, allowUserIdTokens = false): Promise<AccessKeyCredentials> {
  return createAccessKey(m.identity.services, { role: 'workload', workloadName, allowUserIdTokens });
}

/**
 * Plays the user's browser: opens the authorization URL, signs in at the emulator as `user` (a
 * login_hint the headless emulator honours) and follows redirects until the browser is sent to the
 * application's return URL, which is returned (it carries session_id).
 */
export async function consentAs(authorizationUrl: string, user: string, returnUrlPrefix: string): Promise<URL> {
  let url = authorizationUrl;
  for (let i = 0; i < 10; i++) {
    if (url.startsWith(returnUrlPrefix)) return new URL(url);
    const u = new URL(url);
    if (u.pathname.endsWith('/oauth2/v2.0/authorize')) u.searchParams.set('login_hint', user);
    const res = await fetch(u, { redirect: 'manual' });
    await res.arrayBuffer();
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) throw new Error(`browser stopped at ${u.origin}${u.pathname} with ${res.status}`);
    url = new URL(loc, u).href;
  }
  throw new Error('too many redirects');
}
