/**
 * The Microsoft Entra ID emulator: Entra v2.0 endpoints per tenant over HTTPS with a local CA, so the
 * unmodified MSAL, openid-client and jose work against it offline. See docs/emulators.md.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { silentLogger, systemClock, type Clock, type Logger } from '@mandate/core';
import { closeServer } from '@mandate/http';
import { ensureLocalTls } from '../tls/local-ca.ts';
import { EntraDirectory } from './directory.ts';
import { GrantStore } from './grant-store.ts';
import { loadSigningKey } from './signing-key.ts';
import { buildRouter, createEntraListener } from './router.ts';
import type { EntraContext } from './context.ts';
import type { EntraSeed } from './seed.ts';

export type { EntraSeed, TenantSeed, AppSeed, UserSeed } from './seed.ts';
export { parseSeed, loadSeedFile, SeedError } from './seed.ts';
export { EntraDirectory, DirectoryError, type AppView, type UserView, type TenantView } from './directory.ts';
export { demoSeed } from './demo-seed.ts';
export { EntraError } from './errors.ts';
export { completeAuthorization } from './browserless.ts';

export interface EntraEmulatorOptions {
  seed: EntraSeed;
  /** Listening host (default 127.0.0.1). */
  host?: string;
  /** Listening port (default 0 = any free port). */
  port?: number;
  /** Where the CA, server certificate and token-signing key are kept (reused on restart). */
  dataDir?: string;
  /** Auto-login by `login_hint` and auto-consent, no pages (for tests). */
  headless?: boolean;
  /** Host[:port] used in v2 issuers (default: the listening host:port). */
  issuerHost?: string;
  /** Host used in v1 (`sts`) issuers (default: issuerHost). */
  stsHost?: string;
  /** Bearer token for /_emulator (generated when absent). */
  adminToken?: string;
  logger?: Logger;
  clock?: Clock;
  /** Device-code polling interval in seconds (Entra: 5). */
  deviceCodeInterval?: number;
}

export interface EntraEmulator {
  /** `https://127.0.0.1:PORT` — the login base URL; authority = `${url}/${tenantId}`. */
  url: string;
  caCertPem: string;
  caCertFile: string | undefined;
  adminToken: string;
  /** In-process access to the same operations as the admin API. */
  directory: EntraDirectory;
  close(): Promise<void>;
}

export async function startEntraEmulator(options: EntraEmulatorOptions): Promise<EntraEmulator> {
  const directory = new EntraDirectory(options.seed);
  const host = options.host ?? '127.0.0.1';
  const tls = await ensureLocalTls(options.dataDir);
  const key = await loadSigningKey(options.dataDir);
  const clock = options.clock ?? systemClock;
  const adminToken = options.adminToken ?? randomBytes(32).toString('base64url');
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAliveTimeout: 5_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const issuerHost = options.issuerHost ?? hostPort;
  const urls = { base: `https://${hostPort}`, issuerHost, stsHost: options.stsHost ?? issuerHost };
  const ctx: EntraContext = {
    directory, store: new GrantStore(clock), urls, clock,
    tokens: { urls, key, clock, directory },
    logger: options.logger ?? silentLogger, headless: options.headless ?? false,
    deviceInterval: options.deviceCodeInterval ?? 5,
  };
  server.on('request', createEntraListener(ctx, buildRouter(ctx, adminToken)));
  return {
    url: urls.base, caCertPem: tls.caCertPem, caCertFile: tls.caCertFile, adminToken, directory,
    close: () => closeServer(server as unknown as import('node:http').Server),
  };
}
