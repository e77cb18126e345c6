import { MandateError } from '@mandate/core';
import { readBody, type RequestContext } from '@mandate/http';
import { defineRoute, type Route } from '@mandate/edge';
import { InitializeRequestParamsSchema } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayEnv } from '../env.ts';
import { GATEWAY_ID } from '../arns.ts';
import { supportedVersions } from '../gateway.ts';
import type { GatewayDoc } from '../model.ts';
import { loadGatewayCached } from '../records.ts';
import { authenticateCaller, type GatewayCaller } from './authenticate.ts';
import { parseMessage, RpcCode, RpcFailure, sendResult, sendRpcError, type RpcId } from './jsonrpc.ts';
import { endSession, loadSession, openSession } from './sessions.ts';
import { callTool, listTools } from './tools.ts';

const BODY_LIMIT = 1024 * 1024;
const SESSION_HEADER = 'mcp-session-id';

async function gatewayOf(env: GatewayEnv, rc: RequestContext): Promise<GatewayDoc> {
  const id = rc.params.gatewayId!;
  if (!GATEWAY_ID.test(id)) throw new MandateError('not_found', `The gateway ${id} does not exist.`);
  return loadGatewayCached(env.services, id);
}

function sessionIdOf(rc: RequestContext): string | undefined {
  const h = rc.req.headers[SESSION_HEADER];
  if (Array.isArray(h)) throw new MandateError('validation', 'Send one Mcp-Session-Id header.');
  return h === undefined || h === '' ? undefined : h;
}

/** MCP-Protocol-Version (2025-06-18 §transports): a version this gateway does not speak is a 400. */
function checkProtocolHeader(gw: GatewayDoc, rc: RequestContext): void {
  const v = rc.req.headers['mcp-protocol-version'];
  if (v !== undefined && (typeof v !== 'string' || !supportedVersions(gw).includes(v))) {
    throw new MandateError('validation', `Unsupported MCP-Protocol-Version ${String(v)}: this gateway speaks ${supportedVersions(gw).join(', ')}.`);
  }
}

async function initialize(env: GatewayEnv, gw: GatewayDoc, caller: GatewayCaller, rc: RequestContext, id: RpcId, params: unknown): Promise<void> {
  const p = InitializeRequestParamsSchema.safeParse(params);
  if (!p.success) throw new RpcFailure(RpcCode.InvalidParams, 'initialize needs params.protocolVersion, params.capabilities and params.clientInfo.');
  const versions = supportedVersions(gw);
  // Lifecycle §version negotiation: the client's version if supported, else the newest the server speaks.
  const protocolVersion = versions.includes(p.data.protocolVersion) ? p.data.protocolVersion : versions[0]!;
  const elicitation = p.data.capabilities.elicitation as { url?: unknown } | undefined;
  const sessionId = await openSession(env, { gatewayId: gw.gatewayId, owner: caller.owner, protocolVersion, urlElicitation: elicitation?.url !== undefined, createdAt: env.services.clock.now() });
  const instructions = (gw.protocolConfiguration as { mcp?: { instructions?: string } } | undefined)?.mcp?.instructions;
  sendResult(rc.res, id, {
    protocolVersion,
    capabilities: { tools: { listChanged: false } },
    serverInfo: { name: gw.name, version: '1.0.0' },
    ...(instructions === undefined ? {} : { instructions }),
  }, { 'mcp-session-id': sessionId });
}

/**
 * POST /gateways/{gatewayId}/mcp: MCP streamable HTTP (2025-06-18 / 2025-11-25), answered with
 * application/json (the transport allows a JSON response to a POST). Order: gateway, caller, body,
 * session, method, so an unauthenticated request learns nothing but where to sign in.
 */
const post = (env: GatewayEnv): Route => defineRoute({
  method: 'POST',
  path: '/gateways/:gatewayId/mcp',
  readsBody: true,
  handle: async ({ rc }) => {
    const gw = await gatewayOf(env, rc);
    const caller = await authenticateCaller(env, gw, rc.req);
    let value: unknown;
    const body = await readBody(rc.req, BODY_LIMIT);
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return sendRpcError(rc.res, 400, null, RpcCode.ParseError, 'The body is not JSON.');
    }
    if (Array.isArray(value)) return sendRpcError(rc.res, 400, null, RpcCode.InvalidRequest, 'JSON-RPC batches are not supported (MCP 2025-06-18): send one message per request.');
    const msg = parseMessage(value);
    if (!msg) return sendRpcError(rc.res, 400, null, RpcCode.InvalidRequest, 'The body is not a JSON-RPC 2.0 request, notification or response.');
    if (msg.kind === 'request' && msg.method === 'initialize') {
      return runMethod(rc, msg.id, () => initialize(env, gw, caller, rc, msg.id, msg.params));
    }
    const sessionId = sessionIdOf(rc);
    if (!sessionId) return sendRpcError(rc.res, 400, msg.kind === 'request' ? msg.id : null, RpcCode.InvalidRequest, 'Mcp-Session-Id is required: call initialize first.');
    checkProtocolHeader(gw, rc);
    const session = await loadSession(env, gw.gatewayId, sessionId, caller.owner);
    if (msg.kind !== 'request') {
      rc.res.writeHead(202).end();
      return;
    }
    await runMethod(rc, msg.id, async () => {
      switch (msg.method) {
        case 'ping':
          return sendResult(rc.res, msg.id, {});
        case 'tools/list':
          return sendResult(rc.res, msg.id, await listTools(env, gw, caller));
        case 'tools/call':
          return sendResult(rc.res, msg.id, await callTool(env, gw, session, caller, msg.params));
        default:
          throw new RpcFailure(RpcCode.MethodNotFound, `Method not found: ${msg.method}. This gateway serves tools (tools/list, tools/call) and ping.`);
      }
    });
  },
});

/** A method's JSON-RPC errors are answers (HTTP 200); anything else is a failure of the request. */
async function runMethod(rc: RequestContext, id: RpcId, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof RpcFailure)) throw err;
    sendRpcError(rc.res, 200, id, err.code, err.message, err.data);
  }
}

/** GET: the gateway sends no server-initiated messages, so there is no event stream to open (the transport allows 405). */
const get = (env: GatewayEnv): Route => defineRoute({
  method: 'GET',
  path: '/gateways/:gatewayId/mcp',
  handle: async ({ rc }) => {
    const gw = await gatewayOf(env, rc);
    await authenticateCaller(env, gw, rc.req);
    rc.res.writeHead(405, { allow: 'POST, DELETE' }).end();
  },
});

/** DELETE with Mcp-Session-Id: the client ends its session (only its own). */
const del = (env: GatewayEnv): Route => defineRoute({
  method: 'DELETE',
  path: '/gateways/:gatewayId/mcp',
  handle: async ({ rc }) => {
    const gw = await gatewayOf(env, rc);
    const caller = await authenticateCaller(env, gw, rc.req);
    const sessionId = sessionIdOf(rc);
    if (!sessionId) throw new MandateError('validation', 'Mcp-Session-Id is required to end a session.');
    await endSession(env, gw.gatewayId, sessionId, caller.owner);
    rc.res.writeHead(204).end();
  },
});

export const mcpRoutes = (env: GatewayEnv): Route[] => [post(env), get(env), del(env)];
