/**
 * `npm run bench` (full) and `npm run bench -- --quick` (same scenarios, smaller counts, under a minute
 * or so). Each scenario starts its own servers on loopback in separate processes, drives them with a
 * separate load-generator process, warms up, and reports one JSON line per result on stdout, followed by
 * a readable table. Options:
 *   --quick               smaller counts and shorter runs
 *   --only=a,b            run only these scenarios
 *   --profile             start server processes with --cpu-prof (profiles in bench/profiles/)
 *   --out=file.json       also write every result (and the machine) as JSON
 *   --stores=a,b          stores for the scenarios that cover both (default: sqlite,postgres; --quick: sqlite)
 *   --markdown            print the table as Markdown (for docs/benchmarks.md)
 * PostgreSQL comes from MANDATE_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchEnv, Scenario } from './lib/context.ts';
import { closeShared, closeSharedMandate } from './lib/identity-stack.ts';
import { setLoadDefaults } from './lib/load-client.ts';
import { formatMarkdown, formatTable, jsonLine, type Result } from './lib/results.ts';
import { tokenHotPath } from './scenarios/token-hot-path.ts';
import { consentToToken } from './scenarios/consent-to-token.ts';
import { runtimeOverhead } from './scenarios/runtime-overhead.ts';
import { websocketOverhead } from './scenarios/websocket-overhead.ts';
import { gatewayOverhead } from './scenarios/gateway-overhead.ts';
import { vaultScale } from './scenarios/vault-scale.ts';
import { refreshStorm } from './scenarios/refresh-storm.ts';

const SCENARIOS: Scenario[] = [tokenHotPath, consentToToken, runtimeOverhead, websocketOverhead, gatewayOverhead, vaultScale, refreshStorm];

function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (a === undefined) return undefined;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : '';
}

export function machine(): Record<string, string | number> {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version };
}

async function main(): Promise<void> {
  const quick = arg('quick') !== undefined;
  const only = arg('only')?.split(',').filter(Boolean);
  const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown?.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  const serverExecArgv: string[] = [];
  if (arg('profile') !== undefined) {
    const dir = fileURLToPath(new URL('./profiles/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    serverExecArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  // --quick: runs end within 100 ms of their duration or last response instead of on autocannon's next 1 s tick.
  if (quick) setLoadDefaults({ tickMs: 100 });
  const results: Result[] = [];
  const env: BenchEnv = {
    quick,
    serverExecArgv,
    stores: (arg('stores')?.split(',') ?? (quick ? ['sqlite'] : ['sqlite', 'postgres'])).filter((x): x is 'sqlite' | 'postgres' => x === 'sqlite' || x === 'postgres'),
    pgUrl: process.env.MANDATE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    report(r) {
      results.push(r);
      process.stdout.write(`${jsonLine(r)}\n`);
    },
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
    // --quick shares the Entra emulator and one SQLite Mandate server across scenarios (process starts dominate a short run).
    ...(quick ? { shared: {} } : {}),
  };
  const started = Date.now();
  const failures: string[] = [];
  const m = machine();
  env.log(`${quick ? 'quick' : 'full'} run on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ${m.os}, Node ${m.node}`);
  const selected = SCENARIOS.filter((s) => !only || only.includes(s.name));
  for (const [i, s] of selected.entries()) {
    const t = Date.now();
    env.log(`${s.name}: start`);
    try {
      await s.run(env);
      env.log(`${s.name}: done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    } catch (err) {
      failures.push(s.name);
      env.log(`${s.name}: FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
    // The shared Mandate server (and the agent processes of its runtime sessions) must not idle through later measurements.
    if (env.shared && !selected.slice(i + 1).some((x) => x.sharesMandate)) await closeSharedMandate(env.shared);
  }
  if (env.shared) await closeShared(env.shared);
  const table = arg('markdown') !== undefined ? formatMarkdown(results) : formatTable(results);
  process.stdout.write(`\n${table}\n\n${quick ? 'quick' : 'full'} run: ${((Date.now() - started) / 1000).toFixed(1)} s; ratios are against references measured in this run.\n`);
  const out = arg('out');
  if (out) writeFileSync(out, `${JSON.stringify({ machine: m, quick, at: new Date().toISOString(), results }, null, 2)}\n`);
  if (failures.length) {
    process.stderr.write(`failed scenarios: ${failures.join(', ')}\n`);
    process.exitCode = 1;
  }
}

await main();
