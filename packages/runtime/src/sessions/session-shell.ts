import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { endProcessGroup } from './process-group.ts';

/** Output kept for a client that reattaches (the SDK's ShellSession documents 256 KB). */
const REPLAY_BYTES = 256 * 1024;

export interface ShellOutput {
  channel: 1 | 2;
  data: Buffer;
}

/**
 * One shell of a runtime session (the SDK's `openShell`): `/bin/sh` in the agent's directory and
 * environment, outliving the WebSocket that started it so a client can reattach by shellId. While no client
 * is attached its output goes to a bounded replay buffer; what does not fit is counted, not kept. There is
 * no pseudo-terminal (Node has none without a native addon): programs see pipes, and resizes are ignored.
 */
export class SessionShell {
  readonly id: string;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  #listener: ((o: ShellOutput) => void) | undefined;
  #onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  #replay: ShellOutput[] = [];
  #replayBytes = 0;
  #dropped = 0;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(id: string, cwd: string, env: Record<string, string>) {
    this.id = id;
    this.#child = spawn('/bin/sh', [], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.#child.stdin.on('error', () => undefined);
    const emit = (channel: 1 | 2) => (data: Buffer) => {
      const o = { channel, data };
      if (this.#listener) return this.#listener(o);
      this.#replay.push(o);
      this.#replayBytes += data.length;
      while (this.#replayBytes > REPLAY_BYTES) {
        const first = this.#replay.shift()!;
        this.#replayBytes -= first.data.length;
        this.#dropped += first.data.length;
      }
    };
    this.#child.stdout.on('data', emit(1));
    this.#child.stderr.on('data', emit(2));
    this.#child.once('close', (code, signal) => {
      this.exit = { code, signal };
      this.#onExit?.(code, signal);
    });
    this.#child.once('error', () => {
      this.exit = { code: -1, signal: null };
      this.#onExit?.(-1, null);
    });
  }

  /** Attaches a client: returns what it missed (and how many bytes were dropped), then streams to it. */
  attach(listener: (o: ShellOutput) => void, onExit: (code: number | null, signal: NodeJS.Signals | null) => void): { replay: ShellOutput[]; dropped: number } {
    const out = { replay: this.#replay, dropped: this.#dropped };
    this.#replay = [];
    this.#replayBytes = 0;
    this.#dropped = 0;
    this.#listener = listener;
    this.#onExit = onExit;
    return out;
  }

  detach(): void {
    this.#listener = undefined;
    this.#onExit = undefined;
  }

  write(data: Buffer): void {
    if (this.exit === undefined) this.#child.stdin.write(data);
  }

  /** Ends the shell and everything it started (its process group). */
  kill(): void {
    if (this.exit === undefined) endProcessGroup(this.#child.pid, 2000);
  }
}
