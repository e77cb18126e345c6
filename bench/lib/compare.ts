/**
 * Measuring a server against its reference on a shared, noisy machine: short runs alternate
 * (reference, subject, reference, subject, ...) so both see the same background load, the ratio is the
 * median of the per-round ratios, and each run also records the server process's CPU time per request,
 * which background load barely moves (the CPU-cost ratio is the capacity ratio on an idle machine).
 */
import type { ChildHandle } from './rpc.ts';
import { childCpuMicros } from './rpc.ts';
import type { LoadResult } from './load-client.ts';
import { percentile } from './results.ts';

export interface Measured {
  load: LoadResult;
  /** Server CPU time per successful request, microseconds. */
  cpuUsPerRequest: number;
}

export async function measured(h: ChildHandle, run: () => Promise<LoadResult>): Promise<Measured> {
  const c0 = await childCpuMicros(h);
  const load = await run();
  const c1 = await childCpuMicros(h);
  const ok = load.requests - load.non2xx + load.warmupRequests;
  return { load, cpuUsPerRequest: ok > 0 ? (c1 - c0) / ok : NaN };
}

export interface Comparison {
  subject: Measured[];
  reference: Measured[];
  /** Medians over rounds. */
  rps: number;
  referenceRps: number;
  /** Median of per-round throughput ratios. */
  ratio: number;
  p50: number;
  p99: number;
  requests: number;
  cpuUsPerRequest: number;
  referenceCpuUsPerRequest: number;
}

export const median = (xs: number[]): number => percentile(xs, 50);

export async function compareRounds(rounds: number, reference: { handle: ChildHandle; run(): Promise<LoadResult> }, subject: { handle: ChildHandle; run(): Promise<LoadResult> }): Promise<Comparison> {
  const ref: Measured[] = [];
  const sub: Measured[] = [];
  for (let i = 0; i < rounds; i++) {
    ref.push(await measured(reference.handle, reference.run));
    sub.push(await measured(subject.handle, subject.run));
  }
  return summarizeComparison(sub, ref);
}

export function summarizeComparison(sub: Measured[], ref: Measured[]): Comparison {
  return {
    subject: sub,
    reference: ref,
    rps: median(sub.map((m) => m.load.rps)),
    referenceRps: median(ref.map((m) => m.load.rps)),
    ratio: median(sub.map((m, i) => m.load.rps / ref[i]!.load.rps)),
    p50: median(sub.map((m) => m.load.latencyMs.p50)),
    p99: median(sub.map((m) => m.load.latencyMs.p99)),
    requests: sub.reduce((a, m) => a + m.load.requests, 0),
    cpuUsPerRequest: median(sub.map((m) => m.cpuUsPerRequest)),
    referenceCpuUsPerRequest: median(ref.map((m) => m.cpuUsPerRequest)),
  };
}
