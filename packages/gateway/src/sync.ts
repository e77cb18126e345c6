import type { GatewayEnv } from './env.ts';
import type { GatewayDoc, TargetDoc, ToolDefinition } from './model.ts';
import { checkTool } from './targets.ts';
import { upstreamCredential } from './credentials.ts';

export interface SyncOutcome {
  tools: ToolDefinition[];
  status: 'READY' | 'FAILED';
  statusReasons?: string[];
}

/**
 * Lists a target's tools from its MCP server (DEFAULT listing mode: the gateway keeps them, so a client's
 * tools/list never waits on every upstream). A target whose calls need each user's own token is listed
 * without one: such a server must allow tools/list without a user, or carry an inline mcpToolSchema.
 * A failure leaves the target FAILED with the reason, never half-written.
 */
export async function synchronizeTools(env: GatewayEnv, gw: GatewayDoc, target: Pick<TargetDoc, 'name' | 'endpoint' | 'credential'>): Promise<SyncOutcome> {
  try {
    const cred = await upstreamCredential(env, gw, target.credential, undefined);
    if ('consent' in cred) return { tools: [], status: 'FAILED', statusReasons: ['The target needs a user\'s consent to list its tools; give it an inline mcpToolSchema.'] };
    const tools = await env.upstreams.listTools(target.endpoint, cred.auth);
    return { tools: tools.map((t, i) => checkTool(t, `tools[${i}]`)), status: 'READY' };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    env.services.logger.warn('gateway target synchronization failed', { gatewayId: gw.gatewayId, target: target.name, reason: why });
    return { tools: [], status: 'FAILED', statusReasons: [`Listing the tools of ${target.endpoint} failed: ${why}. Fix the target, then call SynchronizeGatewayTargets.`] };
  }
}
