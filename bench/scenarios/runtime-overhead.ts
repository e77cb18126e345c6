/**
 * Scenario 3, runtime invocation overhead: a trivial agent (bench/agents/trivial, the official
 * `bedrock-agentcore/runtime` app answering one SSE event) invoked through Mandate's runtime data plane
 * (bearer JWT from the user-pool emulator checked by the customJWTAuthorizer, a workload access token
 * minted per invocation, proxied with SSE streaming) against the same agent called directly on its own
 * port, in the same run. Latency: one connection, sequential requests; throughput: 50 connections on one
 * runtime session. Time to first byte for a new session (an agent process start) is reported separately.
 * Goals: added p50 <= 2 ms; >= 0.5 of direct throughput.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { BedrockAgentCoreControlClient, CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { demoUserPoolSeed, startUserPoolEmulator } from '@mandate/emulators';
import { startDirectAgent as startAgent } from '../lib/direct-agent.ts';
import type { BenchEnv, Scenario } from '../lib/context.ts';
import { acquireEntra, acquireSqliteMandate, startReferenceProxy } from '../lib/identity-stack.ts';
import { runLoad, type LoadResult, type LoadSpec } from '../lib/load-client.ts';
import { makeResult, round, summarize } from '../lib/results.ts';
import { assertClean } from '../lib/hot-path.ts';
import { REGION } from '../servers/mandate-server.ts';
import { childCpuMicros } from '../lib/rpc.ts';
import { childPids, procCpuMicros, totalCpuMicros } from '../lib/proc-cpu.ts';

const AGENT_DIR = fileURLToPath(new URL('../agents/trivial', import.meta.url));
const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
const BODY = JSON.stringify({ prompt: 'hello' });

const startDirectAgent = () => startAgent(AGENT_DIR);
const sessionId = () => `bench-${randomBytes(16).toString('hex')}`;

/** Time to the first byte of an invocation on a brand-new session (the agent process starts for it). */
async function firstByteMs(url: string, token: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream', [SESSION_HEADER]: sessionId() }, body: BODY });
  const reader = res.body!.getReader();
  await reader.read();
  const t = performance.now() - t0;
  await reader.cancel();
  if (res.status !== 200) throw new Error(`new-session invocation answered ${res.status}`);
  return t;
}

function timing(env: BenchEnv) {
  return env.quick ? { seqRequests: 500, durationS: 2, warmupS: 0.5, rounds: 1, newSessions: 2 } : { seqRequests: 6000, durationS: 8, warmupS: 2, rounds: 3, newSessions: 10 };
}

export const runtimeOverhead: Scenario = {
  name: 'runtime-overhead',
  sharesMandate: true,
  async run(env) {
    const t = timing(env);
    const entra = await acquireEntra(env);
    const seed = demoUserPoolSeed();
    // --quick overlaps the direct agent's process start with the rest of the setup (awaited before anything is measured).
    const directStarting = env.quick ? startDirectAgent() : undefined;
    directStarting?.catch(() => {});
    let pool: Awaited<ReturnType<typeof startUserPoolEmulator>>;
    let m: Awaited<ReturnType<typeof acquireSqliteMandate>>;
    try {
      pool = await startUserPoolEmulator({ seed });
      try {
        m = await acquireSqliteMandate(env, entra, 'runtime');
      } catch (err) {
        await pool.close();
        throw err;
      }
    } catch (err) {
      await directStarting?.then((d) => d.stop(), () => {});
      throw err;
    }
    let direct: Awaited<ReturnType<typeof startDirectAgent>> | undefined;
    try {
      if (!directStarting) direct = await startDirectAgent();
    } catch (err) {
      await m.close();
      await pool.close();
      throw err;
    }
    const cognito = new CognitoIdentityProviderClient({ region: REGION, endpoint: pool.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'unused-by-the-emulator' }, maxAttempts: 1 });
    const control = new BedrockAgentCoreControlClient({ endpoint: m.url, region: REGION, credentials: m.admin, maxAttempts: 1 });
    try {
      const info = pool.poolByName('DemoUserPool')!;
      const clientId = info.clients[0]!.clientId;
      const seeded = seed.pools[0]!.users[0]!;
      const auth = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: seeded.username, PASSWORD: seeded.password } }));
      const token = auth.AuthenticationResult!.AccessToken!;
      const rt = await control.send(new CreateAgentRuntimeCommand({
        agentRuntimeName: 'bench_trivial',
        agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: AGENT_DIR } }, runtime: 'NODE_22', entryPoint: ['main.ts'] } },
        roleArn: 'arn:aws:iam::123456789012:role/agent',
        networkConfiguration: { networkMode: 'PUBLIC' },
        authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: info.discoveryUrl, allowedClients: [clientId] } },
      }));
      const invokePath = `/runtimes/${encodeURIComponent(rt.agentRuntimeArn!)}/invocations?qualifier=DEFAULT`;
      const session = sessionId();
      const headers = { accept: 'text/event-stream', [SESSION_HEADER]: session };

      // The session's agent process starts on the first call; time to first byte of new sessions is measured separately below.
      const first = await fetch(`${m.url}${invokePath}`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: BODY });
      if (first.status !== 200) throw new Error(`first invocation answered ${first.status}: ${await first.text()}`);
      await first.text();
      direct ??= await directStarting!;
      const viaMandate: LoadSpec = { url: m.url, path: invokePath, connections: 1, auth: { kind: 'bearer', token }, bodies: [BODY], headers };
      const viaDirect: LoadSpec = { url: direct.url, path: '/invocations', connections: 1, auth: { kind: 'none' }, bodies: [BODY], headers };

      env.log('runtime-overhead: sequential latency, direct then through Mandate');
      const seqD: LoadResult[] = [];
      const seqM: LoadResult[] = [];
      for (let i = 0; i < t.rounds; i++) {
        seqD.push(await runLoad({ ...viaDirect, amount: t.seqRequests, warmupS: t.warmupS }));
        seqM.push(await runLoad({ ...viaMandate, amount: t.seqRequests, warmupS: t.warmupS }));
      }
      for (const r of [...seqD, ...seqM]) assertClean('sequential invocations', r);
      const med = (xs: number[]) => summarize(xs).p50;
      const dP50 = med(seqD.map((r) => r.latencyMs.p50));
      const mP50 = med(seqM.map((r) => r.latencyMs.p50));
      const added = mP50 - dP50;
      env.report(makeResult({
        scenario: 'runtime-overhead', metric: 'added latency p50 (1 connection)', value: added, unit: 'ms',
        p50: mP50, p99: med(seqM.map((r) => r.latencyMs.p99)), n: seqM.reduce((a, r) => a + r.requests, 0),
        goal: 'added p50 <= 2 ms', pass: added <= 2,
        extra: { directP50: round(dP50), directP99: round(med(seqD.map((r) => r.latencyMs.p99))), addedP99: round(med(seqM.map((r) => r.latencyMs.p99)) - med(seqD.map((r) => r.latencyMs.p99))) },
      }));

      env.log('runtime-overhead: throughput, 50 connections on one session');
      const thrD: LoadResult[] = [];
      const thrM: LoadResult[] = [];
      // CPU per invocation of each process on the path (Linux /proc): where the time goes on a shared machine.
      const cpu = { mandate: [] as number[], agent: [] as number[], direct: [] as number[] };
      const perRequest = (us: number, r: LoadResult) => us / (r.requests + r.warmupRequests);
      const agents = childPids(m.pid);
      // Calibration: a bare node:http proxy (no auth, no session, no WAT) in front of the direct agent.
      const proxy = await startReferenceProxy(env, Number(new URL(direct.url).port));
      const thrP: LoadResult[] = [];
      const viaProxy: LoadSpec = { ...viaDirect, url: proxy.url };
      for (let i = 0; i < t.rounds; i++) {
        const d0 = procCpuMicros(direct.pid);
        const d = await runLoad({ ...viaDirect, connections: 50, durationS: t.durationS, warmupS: t.warmupS });
        cpu.direct.push(perRequest(procCpuMicros(direct.pid) - d0, d));
        thrD.push(d);
        const m0 = await childCpuMicros(m.handle);
        const a0 = totalCpuMicros(agents);
        const r = await runLoad({ ...viaMandate, connections: 50, durationS: t.durationS, warmupS: t.warmupS });
        cpu.mandate.push(perRequest((await childCpuMicros(m.handle)) - m0, r));
        cpu.agent.push(perRequest(totalCpuMicros(agents) - a0, r));
        thrM.push(r);
        // --quick: a shorter calibration run (it only has to show the order of magnitude there).
        thrP.push(await runLoad({ ...viaProxy, connections: 50, durationS: env.quick ? 1 : t.durationS, warmupS: env.quick ? 0.25 : t.warmupS }));
      }
      await proxy.close();
      for (const r of [...thrD, ...thrM, ...thrP]) assertClean('concurrent invocations', r);
      const ratio = med(thrM.map((r, i) => r.rps / thrD[i]!.rps));
      env.report(makeResult({
        scenario: 'runtime-overhead', metric: 'throughput (50 connections)', value: med(thrM.map((r) => r.rps)), unit: 'req/s', reference: med(thrD.map((r) => r.rps)), ratio,
        p50: med(thrM.map((r) => r.latencyMs.p50)), p99: med(thrM.map((r) => r.latencyMs.p99)), n: thrM.reduce((a, r) => a + r.requests, 0),
        goal: 'ratio >= 0.5', pass: ratio >= 0.5,
        extra: {
          directP50: round(med(thrD.map((r) => r.latencyMs.p50))),
          mandateCpuUsPerRequest: round(med(cpu.mandate)), agentCpuUsPerRequest: round(med(cpu.agent)), directAgentCpuUsPerRequest: round(med(cpu.direct)),
        },
      }));

      const proxyRatio = med(thrP.map((r, i) => r.rps / thrD[i]!.rps));
      env.report(makeResult({
        scenario: 'runtime-overhead', metric: 'throughput of a bare Node proxy (calibration, 50 connections)', value: med(thrP.map((r) => r.rps)), unit: 'req/s',
        reference: med(thrD.map((r) => r.rps)), ratio: proxyRatio,
        p50: med(thrP.map((r) => r.latencyMs.p50)), p99: med(thrP.map((r) => r.latencyMs.p99)), n: thrP.reduce((a, r) => a + r.requests, 0),
        extra: { mandateVsBareProxy: round(ratio / proxyRatio) },
      }));

      env.log('runtime-overhead: time to first byte on new sessions');
      const ttfb: number[] = [];
      for (let i = 0; i < t.newSessions; i++) ttfb.push(await firstByteMs(`${m.url}${invokePath}`, token));
      const s = summarize(ttfb);
      env.report(makeResult({
        scenario: 'runtime-overhead', metric: 'time to first byte, new session (process start)', value: s.p50, unit: 'ms',
        p50: s.p50, p99: s.p99, n: s.n, extra: { min: round(s.min), max: round(s.max) },
      }));
    } finally {
      control.destroy();
      cognito.destroy();
      await (direct ? direct.stop() : directStarting?.then((d) => d.stop(), () => {}));
      await m.close();
      await pool.close();
      await entra.close();
    }
  },
};
