import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { MandateError, type Logger } from '@mandate/core';
import type { LaunchSpec } from '../model.ts';
import { freePort } from './free-port.ts';
import { portOwnedBy } from './port-owner.ts';
import { makeLineRedactor } from './line-redactor.ts';

export type PingStatus = 'Healthy' | 'HealthyBusy';

/** Something other than the agent answers on the agent's port. */
class PortTaken extends Error {
  readonly port: number;
  constructor(port: number) {
    super(`port ${port} is served by another process`);
    this.port = port;
  }
}

/** Process groups still running: killed synchronously if Mandate itself exits, so no agent outlives it. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export interface StartArgs {
  launch: LaunchSpec;
  env: Record<string, string>;
  logger: Logger;
  startTimeoutMs: number;
  /** Literal secrets to mask in the agent's output. */
  secrets: string[];
  /** What to GET for readiness and health (the protocol's contract: /ping for HTTP agents). */
  healthPath: string;
  /** Any HTTP answer there means "up" (MCP servers have no health route). */
  healthAnyStatus?: boolean;
}

/**
 * One agent process: the container contract on a loopback port (`PORT`), `GET /ping` for readiness
 * and health, `POST /invocations` for work. It runs in its own process group so a launcher
 * (`npm start`) and everything it spawned stop together.
 */
export class AgentProcess {
  readonly port: number;
  /** Where the agent runs and with what environment: commands in its session run the same way (InvokeAgentRuntimeCommand). */
  readonly environment: { cwd: string; env: Record<string, string>; secrets: string[] };
  readonly #child: ChildProcess;
  readonly #logger: Logger;
  #healthPath = '/ping';
  #healthAnyStatus = false;
  #exited = false;
  readonly exited: Promise<void>;

  private constructor(port: number, child: ChildProcess, logger: Logger, environment: AgentProcess['environment']) {
    this.port = port;
    this.environment = environment;
    this.#child = child;
    this.#logger = logger;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exited = true;
        logger.info('agent process exited', { code, signal });
        resolve();
      });
      child.once('error', (err) => {
        this.#exited = true;
        logger.warn('agent process could not start', { error: err.message });
        resolve();
      });
    });
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /**
   * Starts the agent on a free port. Another process can take the port between the pick and the agent's
   * bind: then the agent is stopped and started again on another port (a few times), rather than a
   * session being served by a process that is not its agent (port-owner.ts).
   */
  static async start(args: StartArgs): Promise<AgentProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await AgentProcess.#startOnce(args);
      } catch (err) {
        if (!(err instanceof PortTaken) || attempt >= 3) throw err instanceof PortTaken ? new MandateError('runtime_client_error', 'The agent could not get a port of its own; try again.') : err;
        args.logger.warn('agent port was taken by another process; starting the agent on another port', { port: err.port });
      }
    }
  }

  static async #startOnce(args: StartArgs): Promise<AgentProcess> {
    const port = await freePort();
    const env = { ...args.env, PORT: String(port) };
    const child = spawn(args.launch.command, args.launch.args, {
      cwd: args.launch.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const proc = new AgentProcess(port, child, args.logger, { cwd: args.launch.cwd, env, secrets: args.secrets });
    proc.#healthPath = args.healthPath;
    proc.#healthAnyStatus = args.healthAnyStatus ?? false;
    if (child.pid !== undefined) {
      const pid = child.pid;
      liveGroups.add(pid);
      void proc.exited.then(() => liveGroups.delete(pid));
    }
    const redact = makeLineRedactor(args.secrets);
    for (const [name, stream] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        args.logger.info(`agent ${name}`, { stream: name, line: redact(line).slice(0, 4096) });
      });
    }
    try {
      await proc.#waitReady(args.startTimeoutMs);
    } catch (err) {
      proc.kill();
      throw err;
    }
    return proc;
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 25;
    while (Date.now() < deadline) {
      if (this.#exited) throw new MandateError('runtime_client_error', 'The agent process exited before it was ready to serve requests.');
      const remaining = deadline - Date.now();
      if ((await this.ping(Math.min(1000, Math.max(remaining, 1)))) !== undefined) {
        if (this.#child.pid === undefined || (await portOwnedBy(this.#child.pid, this.port))) return;
        throw new PortTaken(this.port);
      }
      await Promise.race([new Promise((r) => setTimeout(r, Math.min(delay, Math.max(deadline - Date.now(), 0)))), this.exited]);
      delay = Math.min(delay * 2, 250);
    }
    throw new MandateError('runtime_client_error', `The agent did not answer ${this.#healthPath} within ${Math.round(timeoutMs / 1000)} s of starting.`);
  }

  /** `GET /ping` (or the protocol's health path): the agent's status, or undefined when it does not answer 200. */
  ping(timeoutMs = 2000): Promise<PingStatus | undefined> {
    if (this.#exited) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port: this.port, path: this.#healthPath, method: 'GET', timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 4096) chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(this.#healthAnyStatus && res.statusCode !== undefined ? 'Healthy' : undefined);
          try {
            const status = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: unknown }).status;
            resolve(status === 'HealthyBusy' ? 'HealthyBusy' : 'Healthy');
          } catch {
            resolve('Healthy'); // a 200 without JSON still means "up"
          }
        });
        res.on('error', () => resolve(undefined));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
      req.end();
    });
  }

  /** SIGTERM to the process group, SIGKILL if it is still there after the grace period. */
  kill(graceMs = 2000): Promise<void> {
    if (this.#exited || this.#child.pid === undefined) return this.exited;
    const pid = this.#child.pid;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch {
        try {
          this.#child.kill(s);
        } catch {
          // already gone
        }
      }
    };
    signal('SIGTERM');
    const t = setTimeout(() => signal('SIGKILL'), graceMs);
    t.unref();
    return this.exited.then(() => {
      clearTimeout(t);
      signal('SIGKILL'); // whatever the launcher left behind in its group
    });
  }
}
