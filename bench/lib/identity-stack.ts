/**
 * Starting the pieces a scenario needs: the Entra ID emulator (in the driver process, which is idle while
 * load runs) and a Mandate server process over SQLite (a fresh directory) or PostgreSQL (a fresh schema,
 * dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { demoSeed, startEntraEmulator, type EntraEmulator } from '@mandate/emulators';
import { trustCa } from '@mandate/emulators';
import type { BenchEnv, Scenario } from './context.ts';
import { startChild, type ChildHandle } from './rpc.ts';
import type { Started, StartSpec } from '../servers/mandate-server.ts';

export const RETURN_URL = 'https://app.example.test/oauth/return';
const MANDATE_SERVER = fileURLToPath(new URL('../servers/mandate-server.ts', import.meta.url));
const REFERENCE_SERVER = fileURLToPath(new URL('../servers/reference-server.ts', import.meta.url));
const REFERENCE_PROXY = fileURLToPath(new URL('../servers/reference-proxy.ts', import.meta.url));

export interface Entra {
  emulator: EntraEmulator;
  tenantId: string;
  appId: string;
  clientSecret: string;
  users: Array<{ username: string; password: string }>;
  /** The app's delegated scope (`api://{appId}/read`). */
  readScope: string;
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
    tenantId: tenant.id,
    appId: app.appId,
    clientSecret: app.clientSecrets![0]!.value!,
    users: tenant.users!.map((u) => ({ username: u.username, password: u.password! })),
    readScope: `api://${app.appId}/read`,
    close: () => emulator.close(),
  };
}

/**
 * What --quick shares across scenarios (see BenchEnv.shared): started on first use, closed by the driver
 * (the Mandate server as soon as no later scenario needs it).
 */
export interface SharedSetup {
  entra?: Promise<Entra>;
  mandate?: Promise<MandateProcess>;
}

/** The Entra emulator for a scenario: its own in a full run, the run's shared one in --quick (close() then does nothing). */
export async function acquireEntra(env: BenchEnv): Promise<Entra> {
  if (!env.shared) return startEntra();
  env.shared.entra ??= startEntra();
  return { ...(await env.shared.entra), close: async () => {} };
}

/**
 * A SQLite Mandate server for scenarios whose state does not interfere with each other (distinct users,
 * scopes and runtimes): its own in a full run, the shared one in --quick (close() then does nothing).
 * `entra` must come from acquireEntra.
 */
export async function acquireSqliteMandate(env: BenchEnv, entra: Entra, tag: string): Promise<MandateProcess> {
  if (!env.shared) return startMandateProcess(env, entra, 'sqlite', { tag });
  env.shared.mandate ??= startMandateProcess(env, entra, 'sqlite', { tag: 'shared' });
  return { ...(await env.shared.mandate), close: async () => {} };
}

export async function closeSharedMandate(shared: SharedSetup): Promise<void> {
  const m = shared.mandate;
  delete shared.mandate;
  await m?.then((x) => x.close(), () => {});
}

export async function closeShared(shared: SharedSetup): Promise<void> {
  await closeSharedMandate(shared);
  const e = shared.entra;
  delete shared.entra;
  await e?.then((x) => x.close(), () => {});
}

/** Starts two things at once; if either fails, closes the other and rethrows. */
export async function startBoth<A extends { close(): Promise<void> }, B extends { close(): Promise<void> }>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'fulfilled' && rb.status === 'fulfilled') return [ra.value, rb.value];
  if (ra.status === 'fulfilled') await ra.value.close().catch(() => {});
  if (rb.status === 'fulfilled') await rb.value.close().catch(() => {});
  throw ra.status === 'rejected' ? ra.reason : (rb as PromiseRejectedResult).reason;
}

export interface MandateProcess extends Started {
  handle: ChildHandle;
  store: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

export async function startMandateProcess(env: BenchEnv, entra: Entra, store: 'sqlite' | 'postgres', extra: { agentEnv?: Record<string, string>; tag?: string } = {}): Promise<MandateProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `mandate-bench-${extra.tag ?? 'srv'}-`));
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const handle = startChild(MANDATE_SERVER, { execArgv: ['--expose-gc', ...env.serverExecArgv] });
  const spec: StartSpec = {
    store,
    dataDir,
    masterKey: randomBytes(32).toString('base64'),
    entra: { url: entra.emulator.url, caPem: entra.emulator.caCertPem, tenantId: entra.tenantId, appId: entra.appId, clientSecret: entra.clientSecret },
    returnUrl: RETURN_URL,
    ...(store === 'postgres' ? { pgUrl: env.pgUrl, pgSchema: schema } : {}),
    ...(extra.agentEnv ? { agentEnv: extra.agentEnv } : {}),
  };
  let started: Started;
  try {
    started = await handle.call<Started>('start', spec);
  } catch (err) {
    await handle.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  entra.emulator.directory.addRedirectUri(entra.tenantId, entra.appId, started.callbackUrl);
  return {
    ...started,
    handle,
    store,
    async close() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (store === 'postgres') {
        const c = new pg.Client({ connectionString: env.pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
        await c.end();
      }
    },
  };
}

export interface ReferenceProcess {
  url: string;
  pid: number;
  handle: ChildHandle;
  close(): Promise<void>;
}

/** The bare node:http reference server, answering `bodyBytes`-byte JSON bodies. */
export async function startReference(env: BenchEnv, bodyBytes: number): Promise<ReferenceProcess> {
  const handle = startChild(REFERENCE_SERVER, { execArgv: env.serverExecArgv });
  const r = await handle.call<{ url: string; pid: number }>('start', { bodyBytes });
  return { ...r, handle, close: () => handle.stop() };
}

/** The bare node:http reverse proxy in front of an agent listening on `targetPort` (runtime-overhead's calibration). */
export async function startReferenceProxy(env: BenchEnv, targetPort: number): Promise<ReferenceProcess> {
  const handle = startChild(REFERENCE_PROXY, { execArgv: env.serverExecArgv });
  const r = await handle.call<{ url: string; pid: number }>('start', { targetPort });
  return { ...r, handle, close: () => handle.stop() };
}

/**
 * Plays the user's browser: opens the authorization URL, signs in at the headless emulator as `username`
 * (login_hint) and follows redirects until the browser reaches the application's return URL.
 */
export async function consentInBrowser(authorizationUrl: string, username: string, returnUrlPrefix = RETURN_URL): Promise<URL> {
  let url = authorizationUrl;
  for (let i = 0; i < 10; i++) {
    if (url.startsWith(returnUrlPrefix)) return new URL(url);
    const u = new URL(url);
    if (u.pathname.endsWith('/oauth2/v2.0/authorize')) u.searchParams.set('login_hint', username);
    const res = await fetch(u, { redirect: 'manual' });
    await res.arrayBuffer();
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) throw new Error(`browser stopped at ${u.origin}${u.pathname} with ${res.status}`);
    url = new URL(loc, u).href;
  }
  throw new Error('too many redirects');
}

/**
 * A scenario measured once per store (env.stores), each run against one Entra emulator for the
 * scenario (the run's shared one in --quick), closed however the runs end.
 */
export function perStoreScenario(
  name: Scenario['name'],
  oneStore: (env: BenchEnv, entra: Entra, store: 'sqlite' | 'postgres') => Promise<void>,
  options: { sharesMandate?: boolean } = {},
): Scenario {
  return {
    name,
    ...options,
    async run(env) {
      const entra = await acquireEntra(env);
      try {
        for (const store of env.stores) await oneStore(env, entra, store);
      } finally {
        await entra.close();
      }
    },
  };
}
