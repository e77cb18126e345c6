import type { Router } from '@mandate/http';
import { registerOperations, registerRoutes, renderAwsError, type EdgeServices } from '@mandate/edge';
import type { IdentityPort } from '@mandate/identity';
import { controlOperations } from './control/index.ts';
import { invokeAgentRuntime } from './data/invoke-agent-runtime.ts';
import { invokeAgentRuntimeCommand } from './data/invoke-command.ts';
import { getAgentCard } from './data/get-agent-card.ts';
import { protectedResourceMetadata } from './data/resource-metadata.ts';
import { pingRuntime } from './data/ping.ts';
import { stopRuntimeSession } from './data/stop-runtime-session.ts';
import { runtimeWebSocket } from './data/ws-connect.ts';
import { runtimeShell } from './data/ws-shell.ts';
import { resolveOptions, type RuntimeEnv, type RuntimeOptions } from './env.ts';
import { SessionManager } from './sessions/session-manager.ts';

export interface RuntimeHandle {
  env: RuntimeEnv;
  sessions: SessionManager;
  /** Stops every agent process and revokes the runtime access keys this process created. */
  close(): Promise<void>;
}

/**
 * Registers AgentCore Runtime on a Router: the control plane (`/runtimes/...` with trailing slashes,
 * SigV4 admin keys, through the identity service's operation adapter) and the data plane
 * (`/runtimes/{arn}/invocations`, `/runtimes/{arn}/stopruntimesession`, `/ping`). No path collides
 * with the identity service's, so both serve from one port.
 */
export function createRuntimeRouter(services: EdgeServices, identity: IdentityPort, runtimeOptions: RuntimeOptions, router: Router): RuntimeHandle {
  const options = resolveOptions(runtimeOptions);
  const sessions = new SessionManager(services, options);
  const env: RuntimeEnv = { services, identity, options, sessions };
  registerOperations(router, services, controlOperations(env));
  registerRoutes(router, [
    invokeAgentRuntime(env),
    // The invocation URL an A2A agent card names (with the trailing slash A2A clients post to).
    invokeAgentRuntime(env, '/runtimes/:agentRuntimeArn/invocations/'),
    // MCP's streamable HTTP: the server's event stream and the end of a session.
    invokeAgentRuntime(env, '/runtimes/:agentRuntimeArn/invocations', 'GET'),
    invokeAgentRuntime(env, '/runtimes/:agentRuntimeArn/invocations', 'DELETE'),
    protectedResourceMetadata(env),
    getAgentCard(env),
    invokeAgentRuntimeCommand(env), stopRuntimeSession(env), pingRuntime(env), runtimeWebSocket(env), runtimeShell(env)], (rc, err) => renderAwsError(rc, err, services));
  return { env, sessions, close: () => sessions.close() };
}
