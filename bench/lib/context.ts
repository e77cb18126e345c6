/** What every scenario gets from the driver: the run mode, the shared Entra emulator and a way to report. */
import type { Result } from './results.ts';
import type { SharedSetup } from './identity-stack.ts';

export interface BenchEnv {
  quick: boolean;
  /** Node flags for server processes (e.g. --cpu-prof). */
  serverExecArgv: string[];
  pgUrl: string;
  /** Which stores to measure where a scenario covers both (default both; --stores=sqlite to narrow). */
  stores: Array<'sqlite' | 'postgres'>;
  /** Records a result (printed as a JSON line at once). */
  report(r: Result): void;
  /** Progress text (stderr). */
  log(line: string): void;
  /**
   * --quick only: setup shared across scenarios to save process starts (one Entra emulator; one SQLite
   * Mandate server for the scenarios marked `sharesMandate`). Absent in a full run, where every scenario
   * starts its own.
   */
  shared?: SharedSetup;
}

export interface Scenario {
  name: Result['scenario'];
  run(env: BenchEnv): Promise<void>;
  /** In --quick, uses the shared SQLite Mandate server (its state does not interfere with the other users'). */
  sharesMandate?: boolean;
}
