/**
 * The load generator, always run as its own process (`node bench/load.ts <spec.json>`), so its CPU is
 * never taken from the server being measured. It drives autocannon with one dynamic request per
 * connection: `setupRequest` picks the next body (cycling, or grouped so that k consecutive requests,
 * which are in flight at the same time on different connections, ask for the same thing) and, for
 * SigV4, signs it freshly with a new `amz-sdk-invocation-id` (a few microseconds with a cached signing
 * key). Latencies are collected from autocannon's per-response events in microsecond precision (its own
 * histogram rounds to whole milliseconds). Prints one JSON object (LoadResult) on stdout.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { FastSigner, type Credentials } from './lib/sigv4-sign.ts';

export interface LoadSpec {
  url: string;
  path: string;
  method?: 'POST' | 'GET';
  connections: number;
  durationS?: number;
  amount?: number;
  warmupS?: number;
  /** How requests are authenticated. */
  auth: { kind: 'none' } | { kind: 'sigv4'; credentials: Credentials; region: string } | { kind: 'bearer'; token: string };
  /** Bodies to send (cycled); at least one (use '' for none). */
  bodies: string[];
  /** Request n uses body floor(n / group) mod bodies.length (default group 1). */
  group?: number;
  headers?: Record<string, string>;
  /** Stop early after this many non-2xx responses (default: never). */
  bailoutNon2xx?: number;
  /**
   * autocannon's sampling tick (default 1000 ms). autocannon only notices that a run is over (duration
   * elapsed, `amount` reached) on a tick, so with 1 s ticks a 0.5 s warm-up lasts 1 s and an `amount`
   * run idles up to 1 s after its last response; --quick uses 100 ms.
   */
  tickMs?: number;
  /**
   * Open-loop mode: send this many requests per second at evenly spaced times, whatever the answers do,
   * over at most `connections` keep-alive connections, and time each request from when it was due
   * (so time spent waiting for a free connection counts: no coordinated omission). autocannon's own
   * rate limit sends each connection's quota in a burst at the start of every second, which measures a
   * saturated server, not latency at that rate. Needs `durationS`.
   */
  ratePerS?: number;
}

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationS: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  bytesPerResponse: number;
  /** Successful responses per 100 ms, from startedAt. */
  timeline: number[];
  /** Requests sent during warm-up (not in `requests`; the server's CPU time covers them too). */
  warmupRequests: number;
  /** Wall clock (epoch ms) of the measured run's start and end. */
  startedAt: number;
  endedAt: number;
}

function percentileSorted(a: Float64Array, p: number): number {
  if (a.length === 0) return NaN;
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))]!;
}

/** Percentiles, mean and max of the recorded latencies (sorts them in place). */
function latencySummary(latencies: Float64Array): LoadResult['latencyMs'] {
  const lat = latencies.sort();
  const n = lat.length;
  let sum = 0;
  for (const x of lat) sum += x;
  return { p50: percentileSorted(lat, 50), p90: percentileSorted(lat, 90), p99: percentileSorted(lat, 99), mean: n ? sum / n : NaN, max: n ? lat[n - 1]! : NaN };
}

async function run(spec: LoadSpec, measured: boolean, durationS: number | undefined, amount: number | undefined): Promise<LoadResult> {
  const u = new URL(spec.url);
  const host = u.host;
  const signer = spec.auth.kind === 'sigv4' ? new FastSigner(spec.auth.credentials, spec.auth.region) : undefined;
  const method = spec.method ?? 'POST';
  const group = spec.group ?? 1;
  const bodies = spec.bodies;
  let n = 0;
  const base: Record<string, string> = { ...spec.headers };
  if (spec.auth.kind === 'bearer') base.authorization = `Bearer ${spec.auth.token}`;
  const setupRequest = (req: { headers?: Record<string, string>; body?: string; method?: string; path?: string }) => {
    const body = bodies[Math.floor(n++ / group) % bodies.length]!;
    req.method = method;
    req.path = spec.path;
    req.body = body;
    req.headers = signer ? { ...base, ...signer.sign(spec.path, host, body) } : { ...base, 'content-type': 'application/json' };
    return req;
  };
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const timeline: number[] = [];
  const opts: autocannon.Options = {
    url: `${u.protocol}//${host}`,
    connections: spec.connections,
    pipelining: 1,
    ...(spec.tickMs !== undefined ? { sampleInt: spec.tickMs } : {}),
    timeout: 30,
    requests: [{ setupRequest } as unknown as autocannon.Request],
    ...(amount !== undefined ? { amount } : { duration: durationS ?? 10 }),
  };
  if (spec.bailoutNon2xx !== undefined) opts.bailout = spec.bailoutNon2xx;
  const startedAt = Date.now();
  const instance = autocannon(opts);
  current = instance;
  if (measured) {
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status < 200 || status >= 300) return;
      const slot = Math.floor((Date.now() - startedAt) / 100);
      while (timeline.length <= slot) timeline.push(0);
      timeline[slot]!++;
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = ms;
    });
  }
  const r = await instance;
  const endedAt = Date.now();
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = (v as { count: number }).count;
  const durationS2 = (endedAt - startedAt) / 1000;
  const ok = r['2xx'];
  return {
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    durationS: durationS2,
    rps: ok / durationS2,
    latencyMs: latencySummary(latencies.subarray(0, count)),
    bytesPerResponse: ok ? r.throughput.total / ok : 0,
    warmupRequests: 0,
    timeline,
    startedAt,
    endedAt,
  };
}

/** Requests at fixed times (open loop), for latency at a given offered load. */
async function paced(spec: LoadSpec, measured: boolean, durationS: number): Promise<LoadResult> {
  const rate = spec.ratePerS!;
  const u = new URL(spec.url);
  const signer = spec.auth.kind === 'sigv4' ? new FastSigner(spec.auth.credentials, spec.auth.region) : undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const base: Record<string, string> = { ...spec.headers };
  if (spec.auth.kind === 'bearer') base.authorization = `Bearer ${spec.auth.token}`;
  const group = spec.group ?? 1;
  const total = Math.round(rate * durationS);
  const latencies = new Float64Array(total);
  const statusCodes: Record<string, number> = {};
  let n = 0;
  let done = 0;
  let ok = 0;
  let errors = 0;
  let bytes = 0;
  const timeline: number[] = [];
  const startedAt = Date.now();
  const t0 = performance.now();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const settle = (): void => {
    if (++done === total) finish();
  };
  const send = (due: number): void => {
    const body = spec.bodies[Math.floor(n++ / group) % spec.bodies.length]!;
    const headers: Record<string, string> = signer
      ? { ...base, ...signer.sign(spec.path, u.host, body), 'content-length': String(Buffer.byteLength(body)) }
      : { ...base, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: u.hostname, port: u.port, path: spec.path, method: spec.method ?? 'POST', headers, agent }, (res) => {
      let size = 0;
      res.on('data', (c: Buffer) => (size += c.length));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        if (status >= 200 && status < 300) {
          latencies[ok++] = performance.now() - due;
          bytes += size;
          const slot = Math.floor((Date.now() - startedAt) / 100);
          while (timeline.length <= slot) timeline.push(0);
          timeline[slot]!++;
        }
        settle();
      });
    });
    req.on('error', () => {
      errors++;
      settle();
    });
    req.end(body);
  };
  // Drift-free schedule: request k is due at t0 + k / rate; each tick sends every request that is due.
  let k = 0;
  const tick = (): void => {
    const now = performance.now();
    while (k < total && t0 + (k * 1000) / rate <= now) send(t0 + (k++ * 1000) / rate);
    if (k < total) setTimeout(tick, Math.max(0, t0 + (k * 1000) / rate - performance.now()));
  };
  tick();
  await finished;
  agent.destroy();
  const endedAt = Date.now();
  const durationS2 = (endedAt - startedAt) / 1000;
  return {
    requests: total,
    non2xx: total - ok - errors,
    errors,
    timeouts: 0,
    statusCodes,
    durationS: durationS2,
    rps: ok / durationS2,
    latencyMs: latencySummary(latencies.subarray(0, ok)),
    bytesPerResponse: ok ? bytes / ok : 0,
    warmupRequests: 0,
    timeline: measured ? timeline : [],
    startedAt,
    endedAt,
  };
}

let current: autocannon.Instance | undefined;
// SIGTERM ends the measured run early (the driver stops an open-ended background load); the result is still printed.
process.on('SIGTERM', () => current?.stop());

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  if (spec.ratePerS !== undefined) {
    const warm = spec.warmupS ? await paced(spec, false, spec.warmupS) : undefined;
    const result = await paced(spec, true, spec.durationS ?? 10);
    if (warm) result.warmupRequests = warm.requests;
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const warm = spec.warmupS ? await run(spec, false, spec.warmupS, undefined) : undefined;
  const result = await run(spec, true, spec.durationS, spec.amount);
  if (warm) result.warmupRequests = warm.requests;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
