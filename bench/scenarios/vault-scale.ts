/**
 * Scenario 4, scale: the token hot path with 1,000 stored tokens, then with 1,000,000 stored tokens
 * across 100,000 users (10 scope sets each; --quick: 20,000 across 2,000), on SQLite and PostgreSQL.
 * Requests after the bulk load go to rows picked at random among all of them, so the index and page
 * cache work as they would in production. Reported: throughput large / small (goal: within 10%),
 * storage bytes per stored token (from the database's own size), and the server's memory.
 * Each hot-path run is preceded by a reference run, so the large/small comparison is also given
 * normalised by the reference (the machine's load can change between the two).
 */
import { randomInt } from 'node:crypto';
import type { BenchEnv } from '../lib/context.ts';
import { compareRounds, type Comparison } from '../lib/compare.ts';
import { ACCESS_TOKEN_BYTES, REFRESH_TOKEN_BYTES, RESPONSE_BYTES, assertClean, hotPathLoad, tokenBody } from '../lib/hot-path.ts';
import { perStoreScenario, startBoth, startMandateProcess, startReference, type Entra, type MandateProcess, type ReferenceProcess } from '../lib/identity-stack.ts';
import { makeResult, round } from '../lib/results.ts';
import { PROVIDER, WORKLOAD } from '../servers/mandate-server.ts';
import type { SeedResult } from '../servers/seed.ts';
import { CONNECTIONS, hotPathTiming } from './token-hot-path.ts';

const SETS = 10;

interface Stats {
  rss: number;
  heapUsed: number;
  storageBytes: number;
}

function scopeSet(appId: string, j: number): string[] {
  return [`api://${appId}/scale${j}`];
}

async function measure(env: BenchEnv, m: MandateProcess, ref: ReferenceProcess, bodies: string[]): Promise<Comparison> {
  const { durationS, warmupS, rounds } = hotPathTiming(env);
  const load = (url: string) => async () => hotPathLoad({ url, credentials: m.workloadKey, bodies, connections: CONNECTIONS, durationS, warmupS });
  const c = await compareRounds(rounds, { handle: ref.handle, run: load(ref.url) }, { handle: m.handle, run: load(m.url) });
  for (const x of c.subject) assertClean(`Mandate (${m.store})`, x.load);
  return c;
}

/** Bodies for `count` requests to random (user, set) rows among users [0, users). */
async function randomBodies(m: MandateProcess, appId: string, prefix: string, users: number, sets: number, count: number): Promise<string[]> {
  const picks = Array.from({ length: count }, () => ({ user: randomInt(users), set: randomInt(sets) }));
  const wats: string[] = [];
  for (let i = 0; i < picks.length; i += 5000) {
    wats.push(...(await m.handle.call<string[]>('mintWats', { userIds: picks.slice(i, i + 5000).map((p) => `${prefix}${p.user}`) })));
  }
  return picks.map((p, i) => tokenBody(wats[i]!, scopeSet(appId, p.set)));
}

async function oneStore(env: BenchEnv, entra: Entra, store: 'sqlite' | 'postgres'): Promise<void> {
  const smallUsers = 1000;
  const largeUsers = env.quick ? 2_000 : 100_000;
  // A server of its own even in --quick (storage and memory are reported); --quick starts the reference alongside it.
  const [m, ref] = env.quick
    ? await startBoth(startMandateProcess(env, entra, store, { tag: 'scale' }), startReference(env, RESPONSE_BYTES))
    : [await startMandateProcess(env, entra, store, { tag: 'scale' }), await startReference(env, RESPONSE_BYTES)];
  const seed = (prefix: string, users: number, sets: number) => m.handle.call<SeedResult>('seed', {
    userPrefix: prefix, users, scopeSets: Array.from({ length: sets }, (_, j) => scopeSet(entra.appId, j)),
    accessTokenBytes: ACCESS_TOKEN_BYTES, refreshTokenBytes: REFRESH_TOKEN_BYTES, expiresAt: Date.now() + 24 * 3600_000,
    workloadName: WORKLOAD, providerName: PROVIDER,
  });
  try {
    const empty = await m.handle.call<Stats>('stats');
    await seed('small-', smallUsers, 1);
    const smallStats = await m.handle.call<Stats>('stats');
    env.log(`vault-scale ${store}: hot path over 1,000 stored tokens`);
    const small = await measure(env, m, ref, await randomBodies(m, entra.appId, 'small-', smallUsers, 1, env.quick ? 2000 : 5000));

    const largeRows = largeUsers * SETS;
    env.log(`vault-scale ${store}: bulk-loading ${largeRows.toLocaleString('en-US')} tokens across ${largeUsers.toLocaleString('en-US')} users`);
    const loaded = await seed('large-', largeUsers, SETS);
    env.log(`vault-scale ${store}: loaded in ${(loaded.ms / 1000).toFixed(1)} s (sealing ${(loaded.sealMs / 1000).toFixed(1)} s)`);
    const largeStats = await m.handle.call<Stats>('stats');
    env.log(`vault-scale ${store}: hot path over ${(largeRows + smallUsers).toLocaleString('en-US')} stored tokens`);
    const large = await measure(env, m, ref, await randomBodies(m, entra.appId, 'large-', largeUsers, SETS, env.quick ? 5000 : 20_000));
    const afterStats = await m.handle.call<Stats>('stats');

    const normalised = (large.rps / large.referenceRps) / (small.rps / small.referenceRps);
    const ratio = large.rps / small.rps;
    env.report(makeResult({
      scenario: 'vault-scale', metric: `throughput ${largeRows.toLocaleString('en-US')} vs 1,000 tokens ${store}`, value: large.rps, unit: 'req/s', reference: small.rps,
      p50: large.p50, p99: large.p99, n: large.requests,
      goal: 'ratio within 10% (>= 0.9)', pass: ratio >= 0.9 || normalised >= 0.9,
      extra: {
        store, storedTokens: largeRows + smallUsers, users: largeUsers + smallUsers, smallP50: round(small.p50), smallP99: round(small.p99),
        ratioNormalisedByReference: round(normalised), cpuUsPerRequestSmall: round(small.cpuUsPerRequest), cpuUsPerRequestLarge: round(large.cpuUsPerRequest),
        loadSeconds: round(loaded.ms / 1000), loadRowsPerSecond: Math.round(loaded.rows / (loaded.ms / 1000)),
      },
    }));
    const bytesPerToken = (largeStats.storageBytes - smallStats.storageBytes) / largeRows;
    env.report(makeResult({
      scenario: 'vault-scale', metric: `storage per token ${store}`, value: bytesPerToken, unit: 'bytes', n: largeRows,
      extra: { store, storageBytes: largeStats.storageBytes, emptyBytes: empty.storageBytes, accessTokenChars: ACCESS_TOKEN_BYTES, refreshTokenChars: REFRESH_TOKEN_BYTES },
    }));
    env.report(makeResult({
      scenario: 'vault-scale', metric: `server memory (RSS) with ${largeRows.toLocaleString('en-US')} tokens ${store}`, value: afterStats.rss / 2 ** 20, unit: 'MiB',
      reference: smallStats.rss / 2 ** 20, n: largeRows,
      extra: { store, heapUsedMiBSmall: round(smallStats.heapUsed / 2 ** 20), heapUsedMiBLarge: round(afterStats.heapUsed / 2 ** 20), rssMiBAfterLoad: round(largeStats.rss / 2 ** 20) },
    }));
  } finally {
    await ref.close();
    await m.close();
  }
}

export const vaultScale = perStoreScenario('vault-scale', oneStore);
