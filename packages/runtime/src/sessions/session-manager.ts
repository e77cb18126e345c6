import { MandateError, type Logger } from '@mandate/core';
import { createAccessKey, revokeAccessKey, type AccessKeyCredentials } from '@mandate/edge';
import type { EdgeServices } from '@mandate/edge';
import type { ResolvedRuntimeOptions } from '../env.ts';
import type { RuntimeVersionDoc } from '../model.ts';
import { AgentProcess } from './agent-process.ts';
import type { SessionShell } from './session-shell.ts';
import { contractOf } from '../protocols.ts';

export interface LiveSession {
  key: string;
  runtimeId: string;
  sessionId: string;
  version: string;
  proc: AgentProcess;
  /** Requests in flight: a session serving a request is never idle-stopped. */
  inflight: number;
  lastActivity: number;
  startedAt: number;
  idleMs: number;
  maxMs: number;
  /** What is attached to the session (WebSocket relays, running commands): told why before its process ends, so each ends cleanly (a close code, a killed command). */
  attached: Set<(code: number, reason: string) => void>;
  /** Shells of this session by shellId (InvokeAgentRuntime's /ws/shells); they live until the session ends. */
  shells: Map<string, SessionShell>;
  /** MCP runtimes: set once the agent answered `initialize` in this process; its own Mcp-Session-Id if it gave one. */
  mcp?: { agentSessionId?: string };
}

/** Why a session ends, as the close frame its WebSockets get (RFC 6455 §7.4.1). */
const CLOSE_FOR = {
  stop: [1000, 'Runtime session stopped'],
  idle: [1001, 'Runtime session idle timeout'],
  maxLifetime: [1001, 'Runtime session reached its maximum lifetime'],
  shutdown: [1001, 'Mandate is shutting down'],
} as const;

function detachAll(s: LiveSession, why: keyof typeof CLOSE_FOR): void {
  const [code, reason] = CLOSE_FOR[why];
  for (const close of s.attached) close(code, reason);
  s.attached.clear();
  for (const shell of s.shells.values()) shell.kill();
  s.shells.clear();
}

/** Environment variables an agent inherits from Mandate's own environment; nothing else leaks (no Mandate secrets). */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'];

/**
 * One agent process per runtime session (AgentCore gives each session its own microVM). Processes
 * start on first use, end after the idle timeout (unless `/ping` says HealthyBusy), the max lifetime,
 * StopRuntimeSession or runtime deletion. The number of live processes is capped.
 */
export class SessionManager {
  readonly #services: EdgeServices;
  readonly #options: ResolvedRuntimeOptions;
  readonly #logger: Logger;
  readonly #live = new Map<string, LiveSession>();
  readonly #starting = new Map<string, Promise<LiveSession>>();
  /** One workload access key per runtime, created on first need in this process and revoked when done. */
  readonly #keys = new Map<string, Promise<AccessKeyCredentials>>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(services: EdgeServices, options: ResolvedRuntimeOptions) {
    this.#services = services;
    this.#options = options;
    this.#logger = services.logger.child({ component: 'runtime-sessions' });
    this.#timer = setInterval(() => void this.sweep(), options.sweepIntervalMs);
    this.#timer.unref();
  }

  get size(): number {
    return this.#live.size + this.#starting.size;
  }

  list(): LiveSession[] {
    return [...this.#live.values()];
  }

  /** The live session, starting its process when there is none (single-flight per session). */
  async acquire(runtimeId: string, sessionId: string, version: RuntimeVersionDoc, workloadName: string): Promise<LiveSession> {
    if (this.#closed) throw new MandateError('unavailable', 'The runtime is shutting down.');
    const key = `${runtimeId}/${sessionId}`;
    const live = this.#live.get(key);
    if (live && live.proc.alive) return live;
    if (live) this.#live.delete(key);
    const pending = this.#starting.get(key);
    if (pending) return pending;
    if (this.size >= this.#options.maxLiveSessions) {
      throw new MandateError('throttled', `Too many live runtime sessions (limit ${this.#options.maxLiveSessions}). Stop a session or retry later.`);
    }
    const p = this.#start(key, runtimeId, sessionId, version, workloadName);
    this.#starting.set(key, p);
    try {
      const s = await p;
      this.#live.set(key, s);
      return s;
    } finally {
      this.#starting.delete(key);
    }
  }

  async #start(key: string, runtimeId: string, sessionId: string, version: RuntimeVersionDoc, workloadName: string): Promise<LiveSession> {
    const creds = await this.#accessKey(runtimeId, workloadName);
    const { config } = this.#services;
    const env: Record<string, string> = {};
    for (const k of INHERITED) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    Object.assign(env, this.#options.agentEnv, version.environmentVariables ?? {}, {
      HOST: '127.0.0.1',
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: config.publicUrl,
      BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT: config.publicUrl,
      AWS_REGION: config.region,
      AWS_DEFAULT_REGION: config.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AGENTCORE_RUNTIME_ID: runtimeId,
      AGENTCORE_RUNTIME_SESSION_ID: sessionId,
    });
    const logger = this.#services.logger.child({ agentRuntimeId: runtimeId, runtimeSessionId: sessionId });
    const started = Date.now();
    const proc = await AgentProcess.start({
      launch: version.launch, env, logger, startTimeoutMs: this.#options.startTimeoutMs, secrets: [creds.secretAccessKey],
      healthPath: contractOf(version.protocolConfiguration.serverProtocol).healthPath,
      healthAnyStatus: contractOf(version.protocolConfiguration.serverProtocol).healthAnyStatus ?? false,
    });
    logger.info('agent session started', { port: proc.port, ms: Date.now() - started, version: version.agentRuntimeVersion });
    const now = this.#services.clock.now();
    const s: LiveSession = {
      key, runtimeId, sessionId, proc,
      version: version.agentRuntimeVersion,
      inflight: 0,
      attached: new Set(),
      shells: new Map(),
      lastActivity: now,
      startedAt: now,
      idleMs: version.lifecycleConfiguration.idleRuntimeSessionTimeout * 1000,
      maxMs: version.lifecycleConfiguration.maxLifetime * 1000,
    };
    void proc.exited.then(() => {
      if (this.#live.get(key) === s) this.#live.delete(key);
    });
    return s;
  }

  #accessKey(runtimeId: string, workloadName: string): Promise<AccessKeyCredentials> {
    let p = this.#keys.get(runtimeId);
    if (!p) {
      p = createAccessKey(this.#services, { role: 'workload', workloadName, description: `Agent processes of runtime ${runtimeId}` });
      p.catch(() => this.#keys.delete(runtimeId));
      this.#keys.set(runtimeId, p);
    }
    return p;
  }

  /** Marks a request in flight; call the returned function exactly once when it is over. */
  begin(s: LiveSession): () => void {
    s.inflight++;
    s.lastActivity = this.#services.clock.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      s.inflight--;
      s.lastActivity = this.#services.clock.now();
    };
  }

  async stop(runtimeId: string, sessionId: string): Promise<boolean> {
    const key = `${runtimeId}/${sessionId}`;
    const pending = this.#starting.get(key);
    if (pending) await pending.catch(() => undefined);
    const s = this.#live.get(key);
    if (!s) return false;
    this.#live.delete(key);
    detachAll(s, 'stop');
    await s.proc.kill();
    this.#logger.info('agent session stopped', { agentRuntimeId: runtimeId, runtimeSessionId: sessionId, reason: 'stop' });
    return true;
  }

  async stopRuntime(runtimeId: string): Promise<void> {
    await Promise.all(this.list().filter((s) => s.runtimeId === runtimeId).map((s) => this.stop(runtimeId, s.sessionId)));
    await this.#revoke(runtimeId);
  }

  async #revoke(runtimeId: string): Promise<void> {
    const p = this.#keys.get(runtimeId);
    if (!p) return;
    this.#keys.delete(runtimeId);
    try {
      await revokeAccessKey(this.#services, (await p).accessKeyId);
    } catch (err) {
      this.#logger.warn('could not revoke a runtime access key', { agentRuntimeId: runtimeId, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Ends sessions past their max lifetime, and idle ones whose agent does not report HealthyBusy. */
  async sweep(): Promise<void> {
    const now = this.#services.clock.now();
    await Promise.all(this.list().map(async (s) => {
      let reason: 'maxLifetime' | 'idle' | undefined;
      if (now - s.startedAt >= s.maxMs) reason = 'maxLifetime';
      else if (s.inflight === 0 && now - s.lastActivity >= s.idleMs) {
        if ((await s.proc.ping()) === 'HealthyBusy') {
          s.lastActivity = now; // background work in progress (addAsyncTask): not idle
          return;
        }
        reason = 'idle';
      }
      if (!reason || this.#live.get(s.key) !== s) return;
      this.#live.delete(s.key);
      detachAll(s, reason);
      await s.proc.kill();
      this.#logger.info('agent session stopped', { agentRuntimeId: s.runtimeId, runtimeSessionId: s.sessionId, reason });
    }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all([...this.#starting.values()].map((p) => p.catch(() => undefined)));
    await Promise.all(this.list().map((s) => {
      detachAll(s, 'shutdown');
      return s.proc.kill();
    }));
    this.#live.clear();
    await Promise.all([...this.#keys.keys()].map((id) => this.#revoke(id)));
  }
}
