import { makeResult, round, summarize, type Result } from './results.ts';

export interface AlternatingPlan {
  warmup: number;
  perRound: number;
  rounds: number;
}

/**
 * Sequential latency of one path against its direct reference, in the same run: both warmed up, then
 * rounds alternating between them so drift on the machine hits both. Each `measure(n)` returns n latencies
 * in ms. Reported as the p50 the Mandate path adds, with both paths' figures in `extra`.
 */
export async function addedLatency(
  plan: AlternatingPlan,
  direct: (n: number) => Promise<number[]>,
  viaMandate: (n: number) => Promise<number[]>,
  report: { scenario: Result['scenario']; metric: string; goalMs: number; extra?: (sd: ReturnType<typeof summarize>, sv: ReturnType<typeof summarize>) => Record<string, unknown> },
): Promise<Result> {
  await direct(plan.warmup);
  await viaMandate(plan.warmup);
  const d: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < plan.rounds; i++) {
    d.push(...await direct(plan.perRound));
    v.push(...await viaMandate(plan.perRound));
  }
  const sd = summarize(d);
  const sv = summarize(v);
  const added = sv.p50 - sd.p50;
  return makeResult({
    scenario: report.scenario, metric: report.metric, value: added, unit: 'ms',
    p50: sv.p50, p99: sv.p99, n: sv.n, goal: `added p50 <= ${report.goalMs} ms`, pass: added <= report.goalMs,
    extra: { directP50: round(sd.p50), directP99: round(sd.p99), addedP99: round(sv.p99 - sd.p99), ...(report.extra?.(sd, sv) ?? {}) },
  });
}
