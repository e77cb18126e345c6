/**
 * Scenario 1, token hot path: GetResourceOauth2Token (USER_FEDERATION) for tokens already in the vault,
 * 50 connections, every request freshly SigV4-signed by the load process. Per request Mandate verifies
 * the signature, the workload access token and the return URL, reads the vault row and the provider,
 * decrypts and answers JSON. Reference: a bare node:http server answering the same number of bytes to
 * the same signed requests, measured right before each store.
 * Goal: >= 0.5 of the reference's throughput, p99 <= 10 ms, on SQLite and on PostgreSQL.
 */
import type { BenchEnv, Scenario } from '../lib/context.ts';
import { ACCESS_TOKEN_BYTES, REFRESH_TOKEN_BYTES, RESPONSE_BYTES, assertClean, hotPathLoad, tokenBody, watsFor } from '../lib/hot-path.ts';
import { acquireEntra, acquireSqliteMandate, startBoth, startMandateProcess, startReference, type Entra } from '../lib/identity-stack.ts';
import { makeResult } from '../lib/results.ts';
import { compareRounds, median } from '../lib/compare.ts';
import { PROVIDER, WORKLOAD } from '../servers/mandate-server.ts';

export const CONNECTIONS = 50;

export function hotPathTiming(env: BenchEnv): { durationS: number; warmupS: number; rounds: number } {
  return env.quick ? { durationS: 2, warmupS: 0.5, rounds: 1 } : { durationS: 8, warmupS: 2, rounds: 3 };
}

async function oneStore(env: BenchEnv, entra: Entra, store: 'sqlite' | 'postgres'): Promise<void> {
  const users = 1000;
  const scopes = [`api://${entra.appId}/hot`];
  // --quick: the SQLite server is the run's shared one (this scenario runs first, on a fresh server), started alongside the reference.
  const mandate = () => (store === 'sqlite' ? acquireSqliteMandate(env, entra, 'hot') : startMandateProcess(env, entra, store, { tag: 'hot' }));
  const [m, ref] = env.quick
    ? await startBoth(mandate(), startReference(env, RESPONSE_BYTES))
    : [await mandate(), await startReference(env, RESPONSE_BYTES)];
  try {
    await m.handle.call('seed', {
      userPrefix: 'user-', users, scopeSets: [scopes], accessTokenBytes: ACCESS_TOKEN_BYTES, refreshTokenBytes: REFRESH_TOKEN_BYTES,
      expiresAt: Date.now() + 6 * 3600_000, workloadName: WORKLOAD, providerName: PROVIDER,
    });
    const bodies = (await watsFor(m, 'user-', users)).map((w) => tokenBody(w, scopes));
    const { durationS, warmupS, rounds } = hotPathTiming(env);
    env.log(`token-hot-path ${store}: ${rounds} rounds of reference then Mandate, ${durationS} s each`);
    const load = (url: string) => async () => hotPathLoad({ url, credentials: m.workloadKey, bodies, connections: CONNECTIONS, durationS, warmupS });
    const c = await compareRounds(rounds, { handle: ref.handle, run: load(ref.url) }, { handle: m.handle, run: load(m.url) });
    for (const x of c.reference) assertClean('reference', x.load);
    for (const x of c.subject) assertClean(`Mandate (${store})`, x.load);
    env.report(makeResult({
      scenario: 'token-hot-path', metric: `throughput ${store}`, value: c.rps, unit: 'req/s', reference: c.referenceRps, ratio: c.ratio,
      p50: c.p50, p99: c.p99, n: c.requests,
      goal: 'ratio >= 0.5, p99 <= 10 ms', pass: c.ratio >= 0.5 && c.p99 <= 10,
      extra: {
        store, connections: CONNECTIONS, users, rounds,
        cpuUsPerRequest: round2(c.cpuUsPerRequest), referenceCpuUsPerRequest: round2(c.referenceCpuUsPerRequest),
        cpuCapacityRatio: round2(c.referenceCpuUsPerRequest / c.cpuUsPerRequest, 3),
        referenceP50: round2(median(c.reference.map((x) => x.load.latencyMs.p50))), referenceP99: round2(median(c.reference.map((x) => x.load.latencyMs.p99))),
        responseBytes: Math.round(c.subject[0]!.load.bytesPerResponse),
      },
    }));
  } finally {
    await ref.close();
    await m.close();
  }
}

function round2(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const tokenHotPath: Scenario = {
  name: 'token-hot-path',
  sharesMandate: true,
  async run(env) {
    const entra = await acquireEntra(env);
    try {
      for (const store of env.stores) await oneStore(env, entra, store);
    } finally {
      await entra.close();
    }
  },
};
