import type { EdgeServices } from '@mandate/edge';
import type { IdentityPort } from '@mandate/identity';
import type { SessionManager } from './sessions/session-manager.ts';

export interface RuntimeOptions {
  /** Most agent processes alive at once in this Mandate process; past it, InvokeAgentRuntime is throttled. Default 32. */
  maxLiveSessions?: number;
  /** How long an agent has to answer `/ping` after it is started. Default 30 s. */
  startTimeoutMs?: number;
  /** How often idle and over-age sessions are looked for. Default 5 s. */
  sweepIntervalMs?: number;
  /** Largest invocation payload Mandate buffers (AWS allows 100 MB). Default 10 MiB. */
  maxPayloadBytes?: number;
  /** How long an agent may take to start answering an invocation (AWS: 15 min). Default 15 min. */
  invocationTimeoutMs?: number;
  /** Extra environment for every agent process (e.g. NODE_EXTRA_CA_CERTS in tests). */
  agentEnv?: Record<string, string>;
}

export interface ResolvedRuntimeOptions {
  maxLiveSessions: number;
  startTimeoutMs: number;
  sweepIntervalMs: number;
  maxPayloadBytes: number;
  invocationTimeoutMs: number;
  agentEnv: Record<string, string>;
}

/** Everything the runtime's operations need: the edge's services (store, clock, authenticator...), identity's port, session management. */
export interface RuntimeEnv {
  services: EdgeServices;
  identity: IdentityPort;
  options: ResolvedRuntimeOptions;
  sessions: SessionManager;
}

export function resolveOptions(o: RuntimeOptions = {}): ResolvedRuntimeOptions {
  return {
    maxLiveSessions: o.maxLiveSessions ?? 32,
    startTimeoutMs: o.startTimeoutMs ?? 30_000,
    sweepIntervalMs: o.sweepIntervalMs ?? 5_000,
    maxPayloadBytes: o.maxPayloadBytes ?? 10 * 1024 * 1024,
    invocationTimeoutMs: o.invocationTimeoutMs ?? 15 * 60_000,
    agentEnv: o.agentEnv ?? {},
  };
}

