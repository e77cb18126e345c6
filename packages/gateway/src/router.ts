import type { Router } from '@mandate/http';
import { registerOperations, registerRoutes, renderAwsError, type EdgeServices } from '@mandate/edge';
import type { IdentityPort } from '@mandate/identity';
import { controlOperations } from './control/index.ts';
import { resolveGatewayOptions, type GatewayEnv, type GatewayOptions } from './env.ts';
import { renderMcpHttpError } from './mcp/jsonrpc.ts';
import { mcpRoutes } from './mcp/mcp-endpoint.ts';
import { gatewayMetadataRoute } from './mcp/resource-metadata.ts';
import { UpstreamPool } from './upstream/pool.ts';

export interface GatewayHandle {
  env: GatewayEnv;
  /** Closes the upstream MCP connections. */
  close(): Promise<void>;
}

/**
 * Registers AgentCore Gateway on a Router: the control plane (`/gateways/...`, SigV4 admin keys) and,
 * per gateway, its MCP endpoint (`/gateways/{gatewayId}/mcp`, the user's bearer token) and RFC 9728
 * metadata. No path collides with identity's or the runtime's, so all serve from one port.
 */
export function createGatewayRouter(services: EdgeServices, identity: IdentityPort, options: GatewayOptions, router: Router): GatewayHandle {
  const resolved = resolveGatewayOptions(options);
  const upstreams = new UpstreamPool({ maxConnections: resolved.maxUpstreamConnections, timeoutMs: resolved.upstreamTimeoutMs, devMode: services.config.devMode });
  const env: GatewayEnv = { services, identity, options: resolved, upstreams };
  registerOperations(router, services, controlOperations(env));
  registerRoutes(router, mcpRoutes(env), (rc, err) => renderMcpHttpError(rc.res, rc.requestId, err, services.logger));
  registerRoutes(router, [gatewayMetadataRoute(env)], (rc, err) => renderAwsError(rc, err, services));
  return { env, close: () => upstreams.close() };
}
