/** Runs bench/load.ts in a separate process and returns its LoadResult. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from '../load.ts';

export type { LoadResult, LoadSpec };

const LOAD = fileURLToPath(new URL('../load.ts', import.meta.url));

let defaults: Partial<LoadSpec> = {};

/** Options every later load run gets unless its spec sets them (the driver sets `tickMs` for --quick). */
export function setLoadDefaults(d: Partial<LoadSpec>): void {
  defaults = d;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return startLoad(spec).result;
}

export interface RunningLoad {
  result: Promise<LoadResult>;
  /** Ends the measured run now (SIGTERM); `result` then resolves with what was measured. */
  stop(): void;
}

/** Starts a load process; `stop()` ends an open-ended run. */
export function startLoad(spec: LoadSpec): RunningLoad {
  let stopRequested = false;
  let child: ReturnType<typeof spawn> | undefined;
  const result = runProcess(spec, (c) => {
    child = c;
    if (stopRequested) c.kill('SIGTERM');
  });
  return {
    result,
    stop() {
      stopRequested = true;
      child?.kill('SIGTERM');
    },
  };
}

async function runProcess(spec: LoadSpec, onChild: (c: ReturnType<typeof spawn>) => void): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-bench-load-'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify({ ...defaults, ...spec }), { mode: 0o600 });
  try {
    const child = spawn(process.execPath, ['--no-warnings', LOAD, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    onChild(child);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`load generator exited with ${code}`);
    const line = out.trim().split('\n').pop()!;
    return JSON.parse(line) as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
