import { createLogger, systemClock, type Clock, type Logger } from '@mandate/core';
import { listen, Router, serve, type Listening } from '@mandate/http';
import { openStore, type Store } from '@mandate/storage';
import { SigV4Authenticator } from '@mandate/edge';
import { controlOperations } from './control/index.ts';
import { dataOperations } from './data/index.ts';
import { registerOperations } from '@mandate/edge';
import { registerOauthBrowserRoutes } from './browser/register.ts';
import type { IdentityConfig, IdentityServices } from './services.ts';
import { createIdentityPort, type IdentityPort } from './port.ts';
import { EnvelopeSecretBox } from './vault/envelope-secret-box.ts';
import type { KeyProvider } from './vault/key-provider.ts';
import { LocalKeyProvider } from './vault/local-key-provider.ts';

/** Registers every control- and data-plane operation of the identity service on `router`. */
export function createIdentityRouter(services: IdentityServices, router: Router = new Router()): Router {
  registerOperations(router, services, controlOperations);
  registerOperations(router, services, dataOperations);
  registerOauthBrowserRoutes(router, services);
  return router;
}

export interface IdentityServiceOptions {
  config: Partial<IdentityConfig> & Pick<IdentityConfig, 'publicUrl'>;
  /** An open store (the caller closes it). Without one, `openStore({ databaseUrl, dataDir })` opens one and close() closes it. */
  store?: Store;
  /** `postgres://…` or `memory:`; absent → SQLite under dataDir (see openStore). */
  databaseUrl?: string;
  /** Where the SQLite file and the local master key ring (`${dataDir}/master.key`, unless MANDATE_MASTER_KEY is set) live. Default `data`. */
  dataDir?: string;
  keyProvider?: KeyProvider;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof globalThis.fetch;
}

export const DEFAULT_IDENTITY_CONFIG = {
  region: 'us-east-1',
  accountId: '000000000000',
  entraAuthorityBase: 'https://login.microsoftonline.com',
  devMode: false,
} as const;

export interface IdentityService {
  services: IdentityServices;
  /** What other parts of Mandate (the runtime) may ask of identity. */
  port: IdentityPort;
  router: Router;
  /** Serves the router on host:port (loopback and a free port by default). */
  listen(port?: number, host?: string): Promise<Listening>;
  /** Stops background subscriptions (access-key revocation). Closing the store is the caller's job when it passed one in. */
  close(): Promise<void>;
}

/**
 * Assembles the real identity service: store, envelope-encrypting SecretBox over the local master key
 * (or the given key provider), SigV4 authentication against Mandate access keys, and the router.
 */
export async function createIdentityService(options: IdentityServiceOptions): Promise<IdentityService> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ base: { component: 'identity' } });
  const config: IdentityConfig = { ...DEFAULT_IDENTITY_CONFIG, ...options.config, publicUrl: options.config.publicUrl.replace(/\/+$/, '') };
  const dataDir = options.dataDir ?? 'data';
  const store: Store = options.store ?? (await openStore({ dataDir, clock, ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }) }));
  if (!options.store && store.kind === 'memory') logger.warn('identity service is using an in-memory store: every provider, key and token is lost on exit (MUST change for production)');
  let keyProvider: KeyProvider;
  let authenticator: SigV4Authenticator;
  let secrets: EnvelopeSecretBox;
  try {
    keyProvider = options.keyProvider ?? (await LocalKeyProvider.open({ dataDir, env: options.env ?? process.env }));
    secrets = new EnvelopeSecretBox({ store, keyProvider, clock });
    authenticator = await SigV4Authenticator.create({ store, secrets, region: config.region, clock });
  } catch (err) {
    if (!options.store) await store.close(); // do not leak the store we opened
    throw err;
  }
  const services: IdentityServices = { store, secrets, authenticator, config, clock, logger, fetch: options.fetch ?? globalThis.fetch, keyProvider };
  const router = createIdentityRouter(services);
  return {
    services,
    port: createIdentityPort(services),
    router,
    listen: (port = 0, host = '127.0.0.1') => listen(serve(router, { logger }), port, host),
    close: async () => {
      await authenticator.close();
      if (!options.store) await store.close();
    },
  };
}
