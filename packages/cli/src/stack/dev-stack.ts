import { join } from 'node:path';
import { createLogger, type Logger } from '@mandate/core';
import type { EntraEmulator, UserPoolEmulator } from '@mandate/emulators';
import { ensureBootstrapAdminKey } from '@mandate/edge';
import { UserError } from '../command.ts';
import { loadServerConfig } from '../server/config.ts';
import { startMandateServer, type MandateServer } from '../server/start-server.ts';
import type { DevJson } from './dev-json.ts';
import { startDevEntra, startDevUserPool } from './emulators.ts';
import { readJsonFile, writeJsonFile } from './files.ts';
import { applySeedSetup } from './seed-setup.ts';
import { applyGatewaySetup } from './gateway-setup.ts';
import { startWeatherMcpProcess } from './weather-mcp.ts';

export interface DevStackOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Mandate listens on basePort, Entra on +1, the user pool on +2; `mandate token get` returns to +3; the weather MCP server on +4. */
  basePort: number;
  host?: string;
  dataDir?: string;
  /** Deploy the weather agent (default true). */
  withWeatherAgent?: boolean;
  progress(line: string): void;
  logger?: Logger;
}

export interface DevStack {
  devJson: DevJson;
  devJsonPath: string;
  mandate: MandateServer;
  entra: EntraEmulator;
  userPool: UserPoolEmulator;
  close(): Promise<void>;
}

interface AdminCredentialsFile {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Starts the whole local stack on loopback: the Entra ID emulator, the user-pool emulator and one
 * Mandate server (identity + runtime), applies the seed notebook's setup, and writes dev.json.
 * Everything lives in the data directory, so a restart reuses it.
 */
export async function startDevStack(o: DevStackOptions): Promise<DevStack> {
  const host = o.host ?? '127.0.0.1';
  const config0 = loadServerConfig({ ...o.env, MANDATE_PORT: String(o.basePort), MANDATE_HOST: host }, o.cwd, { devMode: true, ...(o.dataDir ? { dataDir: o.dataDir } : {}) });
  const dataDir = config0.dataDir;
  const logger = o.logger ?? createLogger({ level: config0.logLevel === 'info' ? 'warn' : config0.logLevel, base: { component: 'mandate' } });
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const t0 = Date.now();
    const step = async <T>(label: string, fn: () => Promise<T>, detail?: (v: T) => string): Promise<T> => {
      const t = Date.now();
      const v = await fn();
      o.progress(`  ✓ ${label}${detail ? ` — ${detail(v)}` : ''} (${Date.now() - t} ms)`);
      return v;
    };
    o.progress(`Starting the Mandate dev stack (data in ${dataDir})`);
    const entra = await step('Entra ID emulator', () => startDevEntra(dataDir, host, o.basePort + 1, logger), (e) => e.emulator.url);
    closers.push(() => entra.emulator.close());
    const pool = await step('user-pool emulator', () => startDevUserPool(dataDir, host, o.basePort + 2, logger), (p) => p.emulator.url);
    closers.push(() => pool.emulator.close());

    const config = { ...config0, entraAuthorityBase: entra.emulator.url };
    const mandate = await step(
      'Mandate server (identity + runtime + gateway)',
      () => startMandateServer(config, logger, { agentEnv: entra.emulator.caCertFile ? { NODE_EXTRA_CA_CERTS: entra.emulator.caCertFile } : {} }),
      (m) => `${m.url} (${m.store.kind})`,
    );
    closers.push(() => mandate.close());

    const credsFile = join(dataDir, 'admin-credentials.json');
    const created = await ensureBootstrapAdminKey(mandate.identity.services);
    let creds: AdminCredentialsFile | undefined = created ? { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey } : readJsonFile<AdminCredentialsFile>(credsFile);
    if (created) writeJsonFile(credsFile, creds, { secret: true });
    if (!creds) {
      throw new UserError(
        'The store already has an admin key but its secret is not in the data directory.',
        `Create a new one with \`mandate keys create --admin\`, or delete ${dataDir} to start from scratch.`,
      );
    }
    const cliReturnUrl = `http://${host}:${o.basePort + 3}/mandate-cli/return`;
    const setup = await step('seed setup (credential provider, workload identity, weather agent)', () =>
      applySeedSetup({
        mandateUrl: mandate.url, region: config.region, credentials: creds!, entra: entra.emulator, entraSeed: entra.seed,
        userPool: pool.emulator, cliReturnUrl, withWeatherAgent: o.withWeatherAgent ?? true, progress: (l) => o.progress(`    · ${l}`),
      }),
    );

    const tenant = entra.seed.tenants[0]!;
    const demoPool = pool.emulator.poolByName('DemoUserPool')!;
    let gateway: DevJson['gateway'];
    if (o.withWeatherAgent ?? true) {
      const app = tenant.apps![0]!;
      const mcp = await step('weather MCP server (examples/weather-mcp)', () => startWeatherMcpProcess({
        host, port: o.basePort + 4, issuer: `${entra.emulator.url}/${tenant.id}/v2.0`, jwksUri: `${entra.emulator.url}/${tenant.id}/discovery/v2.0/keys`, audience: app.appId,
        ...(entra.emulator.caCertFile ? { caCertFile: entra.emulator.caCertFile } : {}),
      }), (w) => w.url);
      closers.push(() => mcp.close());
      gateway = await step('MCP gateway (weather target, Entra token per user)', () => applyGatewaySetup({
        mandateUrl: mandate.url, region: config.region, credentials: creds!, discoveryUrl: demoPool.discoveryUrl, clientId: demoPool.clients[0]!.clientId,
        providerArn: setup.provider.credentialProviderArn, scope: `api://${app.appId}/read`, mcpServerUrl: mcp.url, progress: (l) => o.progress(`    · ${l}`),
      }), (g) => g.gatewayUrl);
    }
    const devJson: DevJson = {
      region: config.region,
      accountId: config.accountId,
      identity: { controlPlaneEndpoint: mandate.url, dataPlaneEndpoint: mandate.url, returnPageUrl: `${mandate.url}/identities/oauth2/return` },
      runtime: { controlPlaneEndpoint: mandate.url, dataPlaneEndpoint: mandate.url, agents: setup.agents },
      adminCredentials: creds,
      credentialProviders: [setup.provider],
      workloadIdentities: setup.workloads,
      entra: {
        loginBaseUrl: entra.emulator.url,
        tenantId: tenant.id,
        tenantDomain: tenant.domains?.[0] ?? '',
        authority: `${entra.emulator.url}/${tenant.id}`,
        discoveryUrl: `${entra.emulator.url}/${tenant.id}/v2.0/.well-known/openid-configuration`,
        caCertFile: entra.emulator.caCertFile ?? '',
        adminToken: entra.emulator.adminToken,
        apps: (tenant.apps ?? []).map((a) => {
          const view = entra.emulator.directory.listApps(tenant.id).find((x) => x.appId === a.appId);
          return {
            name: a.displayName, clientId: a.appId, clientSecret: a.clientSecrets?.[0]?.value ?? '',
            scopes: (a.scopes ?? []).map((s) => `${(a.identifierUris ?? [`api://${a.appId}`])[0]}/${s.value}`),
            redirectUris: view?.redirectUris ?? [],
          };
        }),
        users: (tenant.users ?? []).map((u) => ({ username: u.username, password: u.password, oid: u.id!, displayName: u.displayName ?? u.username })),
      },
      userPool: {
        endpoint: pool.emulator.url,
        poolId: demoPool.id,
        clientId: demoPool.clients[0]!.clientId,
        discoveryUrl: demoPool.discoveryUrl,
        issuer: demoPool.issuer,
        users: pool.seed.pools[0]!.users.map((u) => ({ username: u.username, password: u.password, sub: demoPool.users.find((x) => x.username === u.username)?.sub ?? '' })),
      },
      ...(gateway ? { gateway } : {}),
      dataDir,
      startedAt: new Date().toISOString(),
    };
    const devJsonPath = join(dataDir, 'dev.json');
    writeJsonFile(devJsonPath, devJson, { secret: true });
    o.progress(`  ✓ wrote ${devJsonPath} (${Date.now() - t0} ms in all)`);
    return { devJson, devJsonPath, mandate, entra: entra.emulator, userPool: pool.emulator, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
