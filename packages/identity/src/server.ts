import { createLogger, systemClock, type Clock, type Logger } from '@mandate/core';
import { listen, Router, serve, type Listening } from '@mandate/http';
import { MemoryStore, type Store } from '@mandate/storage';
import { SigV4Authenticator } from './auth/sigv4-authenticator.ts';
import { controlOperations } from './control/index.ts';
import { dataOperations } from './data/index.ts';
import { registerOperations } from './http-adapter.ts';
import { registerOauthBrowserRoutes } from './browser/register.ts';
import type { IdentityConfig, IdentityServices } from './services.ts';
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
  /** The store; defaults to an in-memory store (dev only: everything is lost on exit). */
  store?: Store;
  /** Where the local master key ring lives (`${dataDir}/master.key`) unless MANDATE_MASTER_KEY is set. */
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
  if (!options.store) logger.warn('identity service is using an in-memory store: every provider, key and token is lost on exit (MUST change for production)');
  const store: Store = options.store ?? new MemoryStore({ clock });
  const keyProvider = options.keyProvider ?? (await LocalKeyProvider.open({ dataDir: options.dataDir ?? '.mandate', env: options.env ?? process.env }));
  const secrets = new EnvelopeSecretBox({ store, keyProvider, clock });
  const authenticator = await SigV4Authenticator.create({ store, secrets, region: config.region, clock });
  const services: IdentityServices = { store, secrets, authenticator, config, clock, logger, fetch: options.fetch ?? globalThis.fetch, keyProvider };
  const router = createIdentityRouter(services);
  return {
    services,
    router,
    listen: (port = 0, host = '127.0.0.1') => listen(serve(router, { logger }), port, host),
    close: async () => {
      await authenticator.close();
      if (!options.store) await store.close();
    },
  };
}
