/**
 * Benchmark results: one record per measured figure, printed as one JSON line each and then as a table.
 * Every figure that has a reference carries `ratio = value / reference`, measured in the same run on the
 * same machine, because shared machines are too noisy for absolute numbers to mean much on their own.
 */

export type Scenario = 'token-hot-path' | 'consent-to-token' | 'runtime-overhead' | 'websocket-overhead' | 'gateway-overhead' | 'vault-scale' | 'refresh-storm';
export type Client = 'mandate-sdk' | 'official-sdk';

export interface Result {
  scenario: Scenario;
  /** What was measured, e.g. `throughput sqlite` (not part of the required keys, but makes lines self-describing). */
  metric: string;
  client?: Client;
  value: number;
  unit: string;
  /** The same figure for the reference (bare server, direct call, other client...), or null when none applies. */
  reference: number | null;
  /** value / reference, or null without a reference. */
  ratio: number | null;
  /** Latency percentiles in ms, or null when the figure is not a latency distribution. */
  p50: number | null;
  p99: number | null;
  /** How many requests/samples the figure is based on. */
  n: number;
  /** The goal this figure is held to, in words, and whether it was met. */
  goal?: string;
  pass?: boolean;
  /** Anything else worth recording (store kind, memory, bytes...). */
  extra?: Record<string, number | string | boolean>;
}

export interface ResultInput {
  scenario: Scenario;
  metric: string;
  client?: Client;
  value: number;
  unit: string;
  reference?: number | null;
  /** Overrides value / reference, e.g. with the median of per-round ratios (a median of ratios is not a ratio of medians). */
  ratio?: number;
  p50?: number | null;
  p99?: number | null;
  n: number;
  goal?: string;
  pass?: boolean;
  extra?: Record<string, number | string | boolean>;
}

/** Rounds to a number of significant digits that keeps small ratios and large throughputs readable. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** value / reference; null when there is no usable reference (absent, zero or not finite). */
export function ratioOf(value: number, reference: number | null | undefined): number | null {
  if (reference === null || reference === undefined || !Number.isFinite(reference) || reference === 0 || !Number.isFinite(value)) return null;
  return round(value / reference, 3);
}

export function makeResult(r: ResultInput): Result {
  const reference = r.reference ?? null;
  const out: Result = {
    scenario: r.scenario,
    metric: r.metric,
    value: round(r.value),
    unit: r.unit,
    reference: reference === null ? null : round(reference),
    ratio: r.ratio !== undefined && reference !== null ? round(r.ratio) : ratioOf(r.value, reference),
    p50: r.p50 === undefined || r.p50 === null ? null : round(r.p50),
    p99: r.p99 === undefined || r.p99 === null ? null : round(r.p99),
    n: r.n,
  };
  if (r.client) out.client = r.client;
  if (r.goal !== undefined) out.goal = r.goal;
  if (r.pass !== undefined) out.pass = r.pass;
  if (r.extra) out.extra = r.extra;
  return out;
}

/** The JSON line for a result, keys in a fixed order (scenario, client, value, unit, reference, ratio, p50, p99, n, ...). */
export function jsonLine(r: Result): string {
  const ordered: Record<string, unknown> = { scenario: r.scenario };
  if (r.client) ordered.client = r.client;
  Object.assign(ordered, { metric: r.metric, value: r.value, unit: r.unit, reference: r.reference, ratio: r.ratio, p50: r.p50, p99: r.p99, n: r.n });
  if (r.goal !== undefined) ordered.goal = r.goal;
  if (r.pass !== undefined) ordered.pass = r.pass;
  if (r.extra) ordered.extra = r.extra;
  return JSON.stringify(ordered);
}

/** The p-th percentile (0..100) of samples by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  const mean = n === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / n;
  return { n, mean, p50: percentile(samples, 50), p99: percentile(samples, 99), min: n ? Math.min(...samples) : NaN, max: n ? Math.max(...samples) : NaN };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  return String(v);
}

/** A plain-text table (monospace), one row per result. */
export function formatTable(results: readonly Result[]): string {
  const header = ['scenario', 'metric', 'client', 'value', 'unit', 'reference', 'ratio', 'p50 ms', 'p99 ms', 'n', 'goal', 'ok'];
  const rows = results.map((r) => [
    r.scenario, r.metric, r.client ?? '', cell(r.value), r.unit, cell(r.reference), cell(r.ratio), cell(r.p50), cell(r.p99), cell(r.n), r.goal ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([3, 5, 6, 7, 8, 9]);
  const line = (row: string[]) => row.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown, for docs/benchmarks.md. */
export function formatMarkdown(results: readonly Result[]): string {
  const header = ['scenario', 'metric', 'client', 'value', 'unit', 'reference', 'ratio', 'p50 ms', 'p99 ms', 'n', 'goal', 'ok'];
  const rows = results.map((r) => [
    r.scenario, r.metric, r.client ?? '', cell(r.value), r.unit, cell(r.reference), cell(r.ratio), cell(r.p50), cell(r.p99), cell(r.n), r.goal ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : '**no**',
  ]);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(esc).join(' | ')} |`)].join('\n');
}
