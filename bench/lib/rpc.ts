/**
 * A tiny request/response protocol over the Node IPC channel, so every server under test runs in its
 * own process (its CPU and memory are its own, and `--cpu-prof` profiles only it) while the benchmark
 * driver stays in charge of the scenario.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Call {
  id: number;
  op: string;
  args: unknown;
}
interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export interface ChildHandle {
  child: ChildProcess;
  call<T = unknown>(op: string, args?: unknown): Promise<T>;
  /** Asks the child to exit and waits for it (killing it after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `file` (a .ts module that calls `serveRpc`) as a child process with the given extra Node flags. */
export function startChild(file: string, options: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): ChildHandle {
  const child = fork(file, [], {
    execPath: process.execPath,
    execArgv: ['--no-warnings', ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`${file}: ${m.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${file} exited (${code ?? signal}) with calls pending`));
    pending.clear();
  });
  return {
    child,
    call<T>(op: string, args?: unknown): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args } satisfies Call);
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.send({ id: 0, op: '__exit', args: null } satisfies Call);
      await exited;
      clearTimeout(t);
    },
  };
}

export type Handlers = Record<string, (args: never) => unknown>;

/** CPU time (µs, user + system) the child has used so far. */
export async function childCpuMicros(h: ChildHandle): Promise<number> {
  const u = await h.call<{ user: number; system: number }>('__cpu');
  return u.user + u.system;
}

/** In the child: answers calls with `handlers`; `__exit` runs `onExit` and ends the process normally (flushing --cpu-prof). */
export function serveRpc(handlers: Handlers, onExit: () => Promise<void> = async () => {}): void {
  // The driver died (Ctrl-C, crash): do not linger as an orphan holding ports and files.
  process.once('disconnect', () => {
    void onExit().finally(() => process.exit(0));
  });
  process.on('message', async (m: Call) => {
    if (m.op === '__exit') {
      process.removeAllListeners('disconnect');
      await onExit().catch((err: unknown) => console.error('shutdown failed:', err));
      process.disconnect();
      process.exit(0);
    }
    const h = m.op === '__cpu' ? () => process.cpuUsage() : handlers[m.op];
    try {
      if (!h) throw new Error(`unknown op ${m.op}`);
      const value = await h(m.args as never);
      process.send!({ id: m.id, ok: true, value } satisfies Reply);
    } catch (err) {
      process.send!({ id: m.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies Reply);
    }
  });
}
