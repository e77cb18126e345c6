import { createServer } from 'node:net';
import type { Logger } from '@mandate/core';
import { listen, serve, type Listening } from '@mandate/http';
import { openStore, type Store } from '@mandate/storage';
import { createIdentityService, type IdentityService } from '@mandate/identity';
import { createRuntimeRouter, type RuntimeHandle } from '@mandate/runtime';
import { createGatewayRouter, type GatewayHandle } from '@mandate/gateway';
import { UserError } from '../command.ts';
import type { ServerConfig } from './config.ts';

export interface MandateServer {
  url: string;
  identity: IdentityService;
  runtime: RuntimeHandle;
  gateway: GatewayHandle;
  store: Store;
  listening: Listening;
  close(): Promise<void>;
}

/** Fails with a clear message when something already listens on host:port. */
export async function assertPortFree(host: string, port: number, what: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new UserError(`Port ${port} on ${host} (${what}) is already in use.`, 'Another `mandate dev` may be running: stop it (Ctrl-C in its terminal), or pick other ports with --port.')
          : new UserError(`Cannot listen on ${host}:${port} for ${what}: ${err.message}.`),
      );
    });
    s.listen(port, host, () => s.close(() => resolve()));
  });
}

/**
 * One Mandate server: identity control + data planes, OAuth browser routes, the agent runtime and the MCP gateway,
 * all on one port, over one store.
 */
export async function startMandateServer(config: ServerConfig, logger: Logger, extra: { agentEnv?: Record<string, string> } = {}): Promise<MandateServer> {
  await assertPortFree(config.host, config.port, 'the Mandate server');
  const store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  const hostForUrl = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const publicUrl = config.publicUrl ?? `http://${hostForUrl}:${config.port}`;
  let identity: IdentityService | undefined;
  let runtime: RuntimeHandle | undefined;
  let gateway: GatewayHandle | undefined;
  try {
    identity = await createIdentityService({
      config: { publicUrl, region: config.region, accountId: config.accountId, entraAuthorityBase: config.entraAuthorityBase, devMode: config.devMode },
      store,
      dataDir: config.dataDir,
      logger,
    });
    runtime = createRuntimeRouter(identity.services, identity.port, { maxLiveSessions: config.maxSessions, agentEnv: extra.agentEnv ?? {} }, identity.router);
    gateway = createGatewayRouter(identity.services, identity.port, {}, identity.router);
    const listening = await listen(serve(identity.router, { logger }), config.port, config.host);
    const id = identity;
    const rt = runtime;
    const gw = gateway;
    return {
      url: publicUrl,
      identity: id,
      runtime: rt,
      gateway: gw,
      store,
      listening,
      close: async () => {
        await rt.close();
        await gw.close();
        await listening.close();
        await id.close();
        await store.close();
      },
    };
  } catch (err) {
    await runtime?.close();
    await gateway?.close();
    await identity?.close();
    await store.close();
    throw err;
  }
}
