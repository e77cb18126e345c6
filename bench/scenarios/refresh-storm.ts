/**
 * Scenario 5, refresh storm: 10,000 stored tokens (--quick: 300) that have all expired at once, each
 * holding a real refresh token issued by the Entra emulator, are asked for by agents (three concurrent
 * requests per token, 64 connections) while scenario 1's hot-path load keeps running on other, fresh
 * tokens. Every expired token must cost exactly one provider call (single-flight refresh), every request
 * must get a token, and the hot path keeps serving. Reported: time to drain the storm, provider calls per
 * token, and hot-path throughput during the storm against the same load just before it.
 */
import { BedrockAgentCoreClient, CompleteResourceTokenAuthCommand, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForUserIdCommand } from '@aws-sdk/client-bedrock-agentcore';
import type { BenchEnv } from '../lib/context.ts';
import { ACCESS_TOKEN_BYTES, REFRESH_TOKEN_BYTES, TOKEN_PATH, assertClean, tokenBody, watsFor } from '../lib/hot-path.ts';
import { perStoreScenario, consentInBrowser, RETURN_URL, startMandateProcess, type Entra, type MandateProcess } from '../lib/identity-stack.ts';
import { runLoad, startLoad, type LoadResult } from '../lib/load-client.ts';
import { makeResult, round } from '../lib/results.ts';
import { childCpuMicros } from '../lib/rpc.ts';
import { PROVIDER, REGION, WORKLOAD } from '../servers/mandate-server.ts';
import { CONNECTIONS } from './token-hot-path.ts';

const PER_TOKEN = 3;

/** One real consent through Mandate, so the vault holds a refresh token the emulator will honour. */
async function realRefreshToken(m: MandateProcess, entra: Entra): Promise<string> {
  const data = new BedrockAgentCoreClient({ endpoint: m.url, region: REGION, credentials: m.workloadKey, maxAttempts: 1 });
  try {
    const userId = 'storm-seed';
    const wat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId }))).workloadAccessToken!;
    const first = await data.send(new GetResourceOauth2TokenCommand({
      workloadIdentityToken: wat, resourceCredentialProviderName: PROVIDER, scopes: [entra.readScope], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
    }));
    const back = await consentInBrowser(first.authorizationUrl!, entra.users[0]!.username);
    await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: back.searchParams.get('session_id')!, userIdentifier: { userId } }));
    const rt = await m.handle.call<string | null>('refreshTokenOf', { userId, scopes: [entra.readScope] });
    if (!rt) throw new Error('no refresh token was stored');
    return rt;
  } finally {
    data.destroy();
  }
}

/** Successful responses per second of `r` between two wall-clock instants. */
function rateBetween(r: LoadResult, from: number, to: number): number {
  const a = Math.max(0, Math.floor((from - r.startedAt) / 100));
  const b = Math.min(r.timeline.length, Math.ceil((to - r.startedAt) / 100));
  if (b <= a) return NaN;
  let n = 0;
  for (let i = a; i < b; i++) n += r.timeline[i]!;
  return n / ((b - a) / 10);
}

async function oneStore(env: BenchEnv, entra: Entra, store: 'sqlite' | 'postgres'): Promise<void> {
  const tokens = env.quick ? 300 : 10_000;
  const hotUsers = 1000;
  const m = await startMandateProcess(env, entra, store, { tag: 'storm' });
  try {
    const refreshToken = await realRefreshToken(m, entra);
    const hotScopes = [`api://${entra.appId}/hot`];
    const common = { accessTokenBytes: ACCESS_TOKEN_BYTES, refreshTokenBytes: REFRESH_TOKEN_BYTES, workloadName: WORKLOAD, providerName: PROVIDER };
    await m.handle.call('seed', { ...common, userPrefix: 'user-', users: hotUsers, scopeSets: [hotScopes], expiresAt: Date.now() + 6 * 3600_000 });
    // Expired at once: a minute ago (Mandate also renews tokens within 60 s of expiry).
    await m.handle.call('seed', { ...common, userPrefix: 'storm-', users: tokens, scopeSets: [[entra.readScope]], expiresAt: Date.now() - 60_000, refreshToken });
    const hotBodies = (await watsFor(m, 'user-', hotUsers)).map((w) => tokenBody(w, hotScopes));
    const stormBodies = (await watsFor(m, 'storm-', tokens)).map((w) => tokenBody(w, [entra.readScope]));
    const auth = { kind: 'sigv4' as const, credentials: m.workloadKey, region: REGION };

    await m.handle.call('resetProviderCalls');
    env.log(`refresh-storm ${store}: hot-path load running; storm of ${tokens.toLocaleString('en-US')} expired tokens starts in ${env.quick ? 1.5 : 3} s`);
    const hot = startLoad({ url: m.url, path: TOKEN_PATH, connections: CONNECTIONS, durationS: 900, warmupS: env.quick ? 0.5 : 1, auth, bodies: hotBodies });
    await new Promise((r) => setTimeout(r, env.quick ? 2000 : 4000));
    const driverCpu0 = process.cpuUsage();
    const serverCpu0 = await childCpuMicros(m.handle);
    const storm = await runLoad({ url: m.url, path: TOKEN_PATH, connections: 64, amount: tokens * PER_TOKEN, group: PER_TOKEN, auth, bodies: stormBodies });
    const driverCpu = process.cpuUsage(driverCpu0);
    const serverCpuS = ((await childCpuMicros(m.handle)) - serverCpu0) / 1e6;
    await new Promise((r) => setTimeout(r, env.quick ? 500 : 2000));
    hot.stop();
    const h = await hot.result;
    assertClean('storm', storm);
    assertClean('hot path during the storm', h);
    const calls = await m.handle.call<Record<string, number>>('providerCalls');
    const refreshes = calls.refresh_token ?? 0;
    const drainS = (storm.endedAt - storm.startedAt) / 1000;
    const before = rateBetween(h, h.startedAt, storm.startedAt);
    const during = rateBetween(h, storm.startedAt, storm.endedAt);
    env.report(makeResult({
      scenario: 'refresh-storm', metric: `time to drain ${tokens.toLocaleString('en-US')} expired tokens ${store}`, value: drainS, unit: 's',
      p50: storm.latencyMs.p50, p99: storm.latencyMs.p99, n: storm.requests,
      goal: 'exactly one provider call per token', pass: refreshes === tokens,
      extra: { store, tokens, requestsPerToken: PER_TOKEN, providerRefreshCalls: refreshes, providerCallsPerToken: round(refreshes / tokens), refreshesPerSecond: round(tokens / drainS),
        // Where the time went: the Entra emulator runs in the driver process (it signs every new token), Mandate in its own.
        emulatorCpuSeconds: round((driverCpu.user + driverCpu.system) / 1e6), mandateCpuSeconds: round(serverCpuS) },
    }));
    env.report(makeResult({
      scenario: 'refresh-storm', metric: `hot-path throughput during the storm ${store}`, value: during, unit: 'req/s', reference: before,
      p50: h.latencyMs.p50, p99: h.latencyMs.p99, n: h.requests,
      extra: { store, note: 'reference = the same hot-path load in the seconds before the storm' },
    }));
  } finally {
    await m.close();
  }
}

export const refreshStorm = perStoreScenario('refresh-storm', oneStore);
