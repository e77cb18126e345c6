import { randomUUID } from 'node:crypto';
import { MandateError } from '@mandate/core';
import { CallToolRequestParamsSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayEnv } from '../env.ts';
import { TOOL_SEPARATOR, type GatewayDoc, type GatewaySessionDoc, type TargetDoc } from '../model.ts';
import { gatewayTargets } from '../records.ts';
import { listingCredential, upstreamCredential } from '../credentials.ts';
import { UpstreamRefusedCredential, UpstreamUnavailable } from '../upstream/pool.ts';
import { RpcCode, RpcFailure } from './jsonrpc.ts';
import { TOOL_NAME } from '../targets.ts';
import type { GatewayCaller } from './authenticate.ts';

/**
 * tools/list: every target's tools, each named `{target}___{tool}` (AgentCore Gateway's naming). DEFAULT and
 * inline targets answer from their stored list; DYNAMIC targets are asked now, with the calling user's
 * credential, in parallel: one that needs the user's consent first, or cannot be reached, contributes
 * nothing (its tools appear once it can answer), and never holds up the others beyond its timeout.
 */
export async function listTools(env: GatewayEnv, gw: GatewayDoc, caller: GatewayCaller): Promise<{ tools: unknown[] }> {
  const targets = await gatewayTargets(env.services, gw);
  const lists = await Promise.all(targets.map(async (t) => (t.toolsFrom === 'dynamic' ? dynamicTools(env, gw, t, caller) : t.tools)));
  const tools: unknown[] = [];
  targets.forEach((t, i) => {
    for (const tool of lists[i]!) tools.push({ ...tool, name: `${t.name}${TOOL_SEPARATOR}${tool.name}` });
  });
  return { tools };
}

async function dynamicTools(env: GatewayEnv, gw: GatewayDoc, target: TargetDoc, caller: GatewayCaller): Promise<readonly { name: string }[]> {
  try {
    // A listing never starts a consent (that would write a session per tools/list): only a call asks for one.
    const auth = await listingCredential(env, gw, target.credential, caller.user);
    if (!auth) return [];
    return (await env.upstreams.listTools(target.endpoint, auth)).filter((t) => TOOL_NAME.test(t.name));
  } catch (err) {
    env.services.logger.warn('gateway target could not list its tools', { gatewayId: gw.gatewayId, target: target.name, reason: err instanceof Error ? err.message : String(err) });
    return [];
  }
}

function findTool(targets: readonly TargetDoc[], name: string): { target: TargetDoc; tool: string } | undefined {
  const cut = name.indexOf(TOOL_SEPARATOR);
  if (cut <= 0) return undefined;
  const target = targets.find((t) => t.name === name.slice(0, cut));
  const tool = name.slice(cut + TOOL_SEPARATOR.length);
  if (!target) return undefined;
  // A DYNAMIC target's tools are whatever its server offers now: the server itself refuses an unknown one.
  if (target.toolsFrom === 'dynamic') return TOOL_NAME.test(tool) ? { target, tool } : undefined;
  return target.tools.some((t) => t.name === tool) ? { target, tool } : undefined;
}

/**
 * tools/call: the calling user's credential for the target (from the vault, through the gateway's
 * workload identity), injected into the upstream call. Without consent yet, a URL-mode elicitation
 * (MCP 2025-11-25, error -32042) names the consent URL; a client that did not declare URL elicitation
 * gets the URL in an error result instead, so a person can still follow it. The token itself never
 * appears in what the client receives.
 */
export async function callTool(env: GatewayEnv, gw: GatewayDoc, session: GatewaySessionDoc, caller: GatewayCaller, params: unknown): Promise<unknown> {
  const p = CallToolRequestParamsSchema.safeParse(params);
  if (!p.success) throw new RpcFailure(RpcCode.InvalidParams, 'tools/call needs params.name (a string) and optional params.arguments (an object).');
  const found = findTool(await gatewayTargets(env.services, gw), p.data.name);
  if (!found) throw new RpcFailure(RpcCode.InvalidParams, `Unknown tool: ${p.data.name}. Call tools/list for the tools of this gateway.`);
  const { target, tool } = found;
  const cred = await credentialFor(env, gw, target, caller, false);
  if ('consent' in cred) return consentAnswer(session, target, p.data.name, cred.consent.authorizationUrl, false);
  try {
    return await env.upstreams.callTool(target.endpoint, cred.auth, tool, p.data.arguments as Record<string, unknown> | undefined);
  } catch (err) {
    // The user's token was refused upstream (revoked or expired at the provider): ask for consent again rather than fail for good.
    if (err instanceof UpstreamRefusedCredential && target.credential.kind === 'oauth2' && target.credential.flow === 'USER_FEDERATION') {
      env.services.logger.warn('gateway target refused a user token; asking for consent again', { gatewayId: gw.gatewayId, target: target.name, status: err.status });
      const again = await credentialFor(env, gw, target, caller, true);
      if ('consent' in again) return consentAnswer(session, target, p.data.name, again.consent.authorizationUrl, true);
    }
    if (err instanceof UpstreamUnavailable) {
      env.services.logger.warn('gateway target unavailable', { gatewayId: gw.gatewayId, target: target.name, reason: err.message });
      throw new RpcFailure(RpcCode.InternalError, `Target ${target.name} is unavailable: ${err.message}.`, { target: target.name });
    }
    if (err instanceof McpError) throw new RpcFailure(err.code, `Target ${target.name}: ${err.message.replace(/^MCP error -?\d+: /, '')}`, { target: target.name });
    throw err;
  }
}

async function credentialFor(env: GatewayEnv, gw: GatewayDoc, target: TargetDoc, caller: GatewayCaller, reconsent: boolean) {
  try {
    return await upstreamCredential(env, gw, target.credential, caller.user, { reconsent });
  } catch (err) {
    if (err instanceof MandateError && err.status < 500) throw new RpcFailure(RpcCode.InternalError, `The credential for target ${target.name} could not be obtained: ${err.message}`, { target: target.name });
    throw err;
  }
}

/** The consent link, as a URL elicitation (-32042) when the client declared it, else in an error result a person can read. */
function consentAnswer(session: GatewaySessionDoc, target: TargetDoc, toolName: string, url: string, refused: boolean): { isError: true; content: { type: 'text'; text: string }[] } {
  const why = refused ? `${target.name} refused the token Mandate holds for you (revoked or expired): connect your account again` : `Connect your account for ${target.name}`;
  const message = `${why}: open this link, sign in and consent, then call ${toolName} again.`;
  if (session.urlElicitation) {
    throw new RpcFailure(RpcCode.UrlElicitationRequired, 'This tool needs your consent first.', { elicitations: [{ mode: 'url', elicitationId: randomUUID(), url, message }] });
  }
  return { isError: true, content: [{ type: 'text', text: `${message}\n${url}` }] };
}
