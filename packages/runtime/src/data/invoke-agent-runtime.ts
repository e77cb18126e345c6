import { setTimeout as delay } from 'node:timers/promises';
import { readBody } from '@mandate/http';
import { defineRoute } from '@mandate/edge';
import { MandateError, uuid } from '@mandate/core';
import type { RuntimeEnv } from '../env.ts';
import { contractOf } from '../protocols.ts';
import { authenticateInvocation } from './inbound-auth.ts';
import { allowedHeaders, negotiatedHeaders } from './forward-headers.ts';
import { agentUnreachable, proxyInvocation } from './proxy.ts';
import { invokeHeaders, SESSION_HEADER, targetQuery } from './inputs.ts';
import { resolveTarget } from './resolve-target.ts';
import { openSession, rawQueryOf } from './open-session.ts';
import { fromAgent, isInitialize, mcpSessionIdOf, SESSION_GONE, toAgent } from './mcp-session.ts';
import { mcpChallenge } from './resource-metadata.ts';

const REQUEST_ID_HEADER = 'x-amzn-bedrock-agentcore-runtime-request-id';
/** How long a failed invocation waits for a dying agent's exit to be reported. */
const EXIT_GRACE_MS = 500;

/**
 * POST /runtimes/{agentRuntimeArn}/invocations: authenticate (SigV4 or bearer, per the runtime),
 * bind the session to its user, start the session's agent if needed, mint the WAT, forward, stream back.
 * MCP runtimes also take GET (the server's event stream) and DELETE (end the MCP session) there.
 */
export const invokeAgentRuntime = (env: RuntimeEnv, path = '/runtimes/:agentRuntimeArn/invocations', method: 'POST' | 'GET' | 'DELETE' = 'POST') => defineRoute({
  method,
  path,
  query: targetQuery,
  headers: invokeHeaders,
  readsBody: true,
  handle: async ({ query, headers: h, rc }) => {
    const { services, sessions } = env;
    const { req, res } = rc;
    const body = await readBody(req, env.options.maxPayloadBytes);
    const rawQuery = rawQueryOf(req);
    const target = await resolveTarget(services, rc.params.agentRuntimeArn!, query);
    const protocol = target.version.protocolConfiguration.serverProtocol;
    const contract = contractOf(protocol);
    const mcp = protocol === 'MCP';
    if (method !== 'POST' && !contract.extraMethods?.includes(method)) {
      throw new MandateError('method_not_allowed', `Method ${method} is not allowed on the invocations of a ${protocol} runtime.`);
    }
    const caller = await authenticateInvocation(services, env.identity, req, rc.rawPath, rawQuery, body, target.version, mcp ? { challenge: mcpChallenge(services.config.publicUrl, target) } : {});
    const clientMcpSession = mcp ? mcpSessionIdOf(req) : undefined;
    const sessionId = h.runtimeSessionId ?? clientMcpSession ?? uuid();
    const rt = target.runtime;
    const [session, wat] = await openSession(env, target, caller, sessionId, true);
    const headers: Record<string, string> = {
      ...allowedHeaders(req.headers, target.version.requestHeaderAllowlist),
      ...negotiatedHeaders(req.headers, body),
      [SESSION_HEADER]: sessionId,
      [REQUEST_ID_HEADER]: rc.requestId ?? uuid(),
      workloadaccesstoken: wat,
      'x-amz-bedrock-agentcore-identity-wat': wat,
      oauth2callbackurl: env.identity.returnPageUrl,
    };
    const initialize = mcp && method === 'POST' && isInitialize(body);
    if (mcp) {
      // A session id this agent process never initialized (it was restarted): MCP clients start over on 404.
      if (clientMcpSession !== undefined && session.mcp === undefined && !initialize) {
        res.writeHead(404, { 'content-type': 'application/json', [SESSION_HEADER]: sessionId }).end(SESSION_GONE);
        return;
      }
      toAgent(session, headers);
    }
    const end = sessions.begin(session);
    try {
      await proxyInvocation({
        port: session.proc.port,
        path: contract.invokePath,
        method,
        ...(contract.relayStatus ? { relayStatus: true } : {}),
        ...(mcp ? { onResponseHeaders: (up: Parameters<typeof fromAgent>[4], out: Record<string, string>) => fromAgent(session, sessionId, initialize, method, up, out) } : {}),
        headers,
        body,
        res,
        responseHeaders: { [SESSION_HEADER]: sessionId, 'x-amzn-requestid': rc.requestId },
        responseTimeoutMs: env.options.invocationTimeoutMs,
        logger: services.logger.child({ agentRuntimeId: rt.agentRuntimeId, runtimeSessionId: sessionId }),
      });
    } catch (err) {
      // A connection that failed before any answer usually means the agent process died with it (a crash
      // in the handler). Its exit arrives as a separate event, possibly after this error: wait briefly for
      // it, so the session is dropped (session-manager) and the next invocation starts a new process
      // instead of meeting the dead one. Only on this failure path; the request is not retried (the agent
      // may have acted on it before dying).
      if (agentUnreachable(err)) await Promise.race([session.proc.exited, delay(EXIT_GRACE_MS, undefined, { ref: false })]);
      throw err;
    } finally {
      end();
    }
  },
});
