import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMarkdown, formatTable, jsonLine, makeResult, percentile, ratioOf, round, summarize } from '../lib/results.ts';
import { summarizeComparison, type Measured } from '../lib/compare.ts';
import type { LoadResult } from '../load.ts';

test('ratio is value / reference, rounded to 3 significant digits, null without a usable reference', () => {
  assert.equal(ratioOf(5000, 10000), 0.5);
  assert.equal(ratioOf(1, 3), 0.333);
  assert.equal(ratioOf(2, 3), 0.667);
  assert.equal(ratioOf(4228, 0.522), 8100);
  assert.equal(ratioOf(5, null), null);
  assert.equal(ratioOf(5, undefined), null);
  assert.equal(ratioOf(5, 0), null);
  assert.equal(ratioOf(5, Number.NaN), null);
  assert.equal(ratioOf(Number.POSITIVE_INFINITY, 2), null);
});

test('round keeps 3 significant digits for any magnitude', () => {
  assert.equal(round(12345.678), 12346);
  assert.equal(round(123.456), 123);
  assert.equal(round(1.23456), 1.23);
  assert.equal(round(0.0012345), 0.00123);
  assert.equal(round(-0.5556), -0.556);
  assert.equal(round(0), 0);
});

test('percentile is nearest-rank; summarize reports n, mean, p50, p99, min, max', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted input
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(summarize([3, 1, 2]), { n: 3, mean: 2, p50: 2, p99: 3, min: 1, max: 3 });
});

test('a result line has the required keys in order, with the ratio computed', () => {
  const r = makeResult({ scenario: 'token-hot-path', metric: 'throughput sqlite', value: 5123.456, unit: 'req/s', reference: 9876.5, p50: 1.23456, p99: 7.891, n: 40000, goal: 'ratio >= 0.5', pass: true });
  const line = jsonLine(r);
  assert.deepEqual(Object.keys(JSON.parse(line)), ['scenario', 'metric', 'value', 'unit', 'reference', 'ratio', 'p50', 'p99', 'n', 'goal', 'pass']);
  assert.deepEqual(JSON.parse(line), { scenario: 'token-hot-path', metric: 'throughput sqlite', value: 5123, unit: 'req/s', reference: 9877, ratio: 0.519, p50: 1.23, p99: 7.89, n: 40000, goal: 'ratio >= 0.5', pass: true });
  // An explicit ratio (median of per-round ratios) wins over value / reference.
  assert.equal(makeResult({ scenario: 'token-hot-path', metric: 'm', value: 417, unit: 'req/s', reference: 3243, ratio: 0.10612, n: 1 }).ratio, 0.106);
  assert.equal(makeResult({ scenario: 'token-hot-path', metric: 'm', value: 417, unit: 'req/s', ratio: 0.5, n: 1 }).ratio, null);
  const c = makeResult({ scenario: 'consent-to-token', metric: 'completion to token (p50)', client: 'mandate-sdk', value: 12, unit: 'ms', n: 10 });
  assert.deepEqual(JSON.parse(jsonLine(c)), { scenario: 'consent-to-token', client: 'mandate-sdk', metric: 'completion to token (p50)', value: 12, unit: 'ms', reference: null, ratio: null, p50: null, p99: null, n: 10 });
});

test('tables: one row per result, aligned columns, failed goals marked', () => {
  const rs = [
    makeResult({ scenario: 'token-hot-path', metric: 'throughput sqlite', value: 5000, unit: 'req/s', reference: 10000, p50: 2, p99: 8, n: 1000, goal: 'ratio >= 0.5', pass: true }),
    makeResult({ scenario: 'vault-scale', metric: 'storage per token postgres', value: 4379, unit: 'bytes', n: 50000, goal: 'x | y', pass: false }),
  ];
  const lines = formatTable(rs).split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^scenario\s+metric\s+client\s+value\s+unit\s+reference\s+ratio\s+p50 ms\s+p99 ms\s+n\s+goal\s+ok$/);
  assert.match(lines[2]!, /^token-hot-path\s+throughput sqlite\s+5,000\s+req\/s\s+10,000\s+0\.5\s+2\s+8\s+1,000\s+ratio >= 0\.5\s+yes$/);
  assert.match(lines[3]!, /NO$/);
  assert.equal(lines[0]!.indexOf('metric'), lines[2]!.indexOf('throughput'));
  const md = formatMarkdown(rs).split('\n');
  assert.equal(md[1], '|---|---|---|---|---|---|---|---|---|---|---|---|');
  assert.equal(md[3], '| vault-scale | storage per token postgres |  | 4,379 | bytes |  |  |  |  | 50,000 | x \\| y | **no** |');
});

function load(rps: number, p50: number, p99: number, requests: number): LoadResult {
  return { requests, non2xx: 0, errors: 0, timeouts: 0, statusCodes: { 200: requests }, durationS: 1, rps, latencyMs: { p50, p90: p99, p99, mean: p50, max: p99 }, bytesPerResponse: 1418, warmupRequests: 0, timeline: [], startedAt: 0, endedAt: 1000 };
}

test('a comparison takes medians over rounds and the median of per-round ratios', () => {
  const sub: Measured[] = [
    { load: load(500, 2, 9, 500), cpuUsPerRequest: 100 },
    { load: load(300, 4, 20, 300), cpuUsPerRequest: 120 },
    { load: load(600, 1, 5, 600), cpuUsPerRequest: 90 },
  ];
  const ref: Measured[] = [
    { load: load(1000, 1, 3, 1000), cpuUsPerRequest: 30 },
    { load: load(400, 1, 3, 400), cpuUsPerRequest: 40 },
    { load: load(2000, 1, 3, 2000), cpuUsPerRequest: 35 },
  ];
  const c = summarizeComparison(sub, ref);
  assert.equal(c.rps, 500);
  assert.equal(c.referenceRps, 1000);
  // Per-round ratios 0.5, 0.75, 0.3: the median is 0.5, not 500 / 1000 by coincidence.
  assert.equal(c.ratio, 0.5);
  assert.equal(c.p50, 2);
  assert.equal(c.p99, 9);
  assert.equal(c.requests, 1400);
  assert.equal(c.cpuUsPerRequest, 100);
  assert.equal(c.referenceCpuUsPerRequest, 35);
});
