/**
 * CPU time of processes the driver did not start through rpc.ts (agent processes), read from Linux's
 * /proc: utime + stime of /proc/<pid>/stat, in clock ticks (USER_HZ, 100 on Linux). Elsewhere the
 * figures are NaN and the benchmark reports them as absent.
 */
import { readFileSync } from 'node:fs';

const TICK_US = 10_000;

export function procCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is parenthesised and may contain spaces: count fields after its closing parenthesis.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_US;
  } catch {
    return NaN;
  }
}

/** Direct children of `pid` (Linux 3.5+ exposes them per thread; a Node process spawns from its main thread). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Summed CPU time of several processes. */
export function totalCpuMicros(pids: number[]): number {
  return pids.reduce((a, p) => a + procCpuMicros(p), 0);
}
