import { createLogger } from '@mandate/core';
import { ensureBootstrapAdminKey } from '@mandate/edge';
import type { Command } from '../command.ts';
import { loadServerConfig } from '../server/config.ts';
import { startMandateServer } from '../server/start-server.ts';

/** `mandate serve`: one Mandate server (identity + runtime) configured from the environment, no emulators. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the Mandate server (identity + runtime) from environment configuration (docs/configuration.md).',
  usage: 'MANDATE_DATABASE_URL=postgres://... MANDATE_PUBLIC_URL=https://mandate.example.com mandate serve',
  async run(_args, io) {
    const config = loadServerConfig(io.env, io.cwd);
    const logger = createLogger({ level: config.logLevel, base: { component: 'mandate' } });
    const server = await startMandateServer(config, logger);
    const created = await ensureBootstrapAdminKey(server.identity.services);
    // Signal handlers before the first line a supervisor or script may react to (see dev.ts).
    const stopped = new Promise<void>((resolve) => {
      const stop = () => void server.close().then(resolve, resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    io.out(`Mandate listening on ${config.host}:${server.listening.port}, public URL ${server.url}, store ${server.store.kind}${config.devMode ? ' (dev mode)' : ''}.`);
    if (created) {
      io.out('First start: created the bootstrap admin key. It is shown only now; store it in your secret manager:');
      io.out(`  AWS_ACCESS_KEY_ID=${created.accessKeyId}`);
      io.out(`  AWS_SECRET_ACCESS_KEY=${created.secretAccessKey}`);
    }
    await stopped;
    io.out('Stopped.');
    return 0;
  },
};
