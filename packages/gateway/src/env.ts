import type { EdgeServices } from '@mandate/edge';
import type { IdentityPort } from '@mandate/identity';
import type { UpstreamPool } from './upstream/pool.ts';

export interface GatewayOptions {
  /** Longest an upstream MCP server may take to answer one request. Default 60 s. */
  upstreamTimeoutMs?: number;
  /** Upstream MCP connections kept open (one per target and credential). Default 256. */
  maxUpstreamConnections?: number;
  /** An MCP session of the gateway ends after this long without a request. Default 1 h. */
  sessionIdleMs?: number;
}

export interface ResolvedGatewayOptions {
  upstreamTimeoutMs: number;
  maxUpstreamConnections: number;
  sessionIdleMs: number;
}

/** Everything the gateway's operations and routes need: the edge's services, identity's port, the upstream connections. */
export interface GatewayEnv {
  services: EdgeServices;
  identity: IdentityPort;
  options: ResolvedGatewayOptions;
  upstreams: UpstreamPool;
}

export function resolveGatewayOptions(o: GatewayOptions = {}): ResolvedGatewayOptions {
  return {
    upstreamTimeoutMs: o.upstreamTimeoutMs ?? 60_000,
    maxUpstreamConnections: o.maxUpstreamConnections ?? 256,
    sessionIdleMs: o.sessionIdleMs ?? 60 * 60_000,
  };
}
