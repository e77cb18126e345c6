import { spawn } from 'node:child_process';
import type { Logger } from '@mandate/core';
import { endProcessGroup } from './process-group.ts';

export interface CommandExit {
  /** The process's exit code; 128 + signal number when a signal ended it (as shells report); -1 on a timeout or a platform error. */
  exitCode: number;
  status: 'COMPLETED' | 'TIMED_OUT';
}

export interface SessionCommand {
  /** Ends the command (its whole process group): SIGTERM, then SIGKILL after `graceMs`. */
  kill(graceMs?: number): void;
  exited: Promise<CommandExit>;
}

/** A line longer than this is passed on in pieces (a secret is far shorter). */
const MAX_HELD = 64 * 1024;

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/**
 * Runs `command` with `/bin/sh -c` where the session's agent runs: its directory and its environment
 * (its own workload key, never Mandate's secrets or environment), in a process group of its own so a
 * pipeline ends as a whole. Output is streamed line by line as it comes (a long line in 64 KiB pieces), with
 * the agent's secret key masked: lines are whole, so a secret cannot slip through split across two chunks.
 */
export function runSessionCommand(args: {
  command: string;
  cwd: string;
  env: Record<string, string>;
  secrets: string[];
  timeoutMs: number;
  /** Returns false when the caller's buffer is full: output is then paused until `drained()` resolves. */
  onOutput(stream: 'stdout' | 'stderr', text: string): boolean;
  drained(): Promise<void>;
  logger: Logger;
}): SessionCommand {
  const child = spawn('/bin/sh', ['-c', args.command], { cwd: args.cwd, env: args.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const secrets = args.secrets.filter((x) => x.length >= 8);
  const mask = (text: string) => secrets.reduce((t, x) => t.split(x).join('[redacted]'), text);
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = child[name];
    stream.setEncoding('utf8');
    let held = '';
    stream.on('data', (chunk: string) => {
      held += chunk;
      const cut = held.length > MAX_HELD ? held.length : held.lastIndexOf('\n') + 1;
      if (cut === 0) return;
      const more = args.onOutput(name, mask(held.slice(0, cut)));
      held = held.slice(cut);
      if (!more) {
        // Backpressure: a slow reader holds the command's pipes, not Mandate's memory.
        child.stdout.pause();
        child.stderr.pause();
        void args.drained().then(() => {
          child.stdout.resume();
          child.stderr.resume();
        });
      }
    });
    stream.on('end', () => {
      if (held !== '') args.onOutput(name, mask(held));
    });
  }
  let timedOut = false;
  let ended = false;
  const kill = (graceMs = 2000) => {
    if (ended) return;
    ended = true;
    endProcessGroup(child.pid, graceMs);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill(500);
  }, args.timeoutMs);
  timer.unref();
  const exited = new Promise<CommandExit>((resolve) => {
    let done = false;
    const finish = (exit: CommandExit) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(exit);
    };
    // 'close' (not 'exit'): every byte of stdout and stderr has been read by then.
    child.once('close', (code, signal) => {
      if (timedOut) return finish({ exitCode: -1, status: 'TIMED_OUT' });
      finish({ exitCode: code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : -1), status: 'COMPLETED' });
    });
    child.once('error', (err) => {
      args.logger.warn('session command could not start', { error: err.message });
      finish({ exitCode: -1, status: 'COMPLETED' });
    });
  });
  return { kill, exited };
}
