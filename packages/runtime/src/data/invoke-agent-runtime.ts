import { setTimeout as delay } from 'node:timers/promises';
import { readBody } from '@mandate/http';
import { defineRoute } from '@mandate/edge';
import { uuid } from '@mandate/core';
import type { RuntimeEnv } from '../env.ts';
import { contractOf } from '../protocols.ts';
import { authenticateInvocation } from './inbound-auth.ts';
import { allowedHeaders, negotiatedHeaders } from './forward-headers.ts';
import { agentUnreachable, proxyInvocation } from './proxy.ts';
import { invokeHeaders, SESSION_HEADER, targetQuery } from './inputs.ts';
import { resolveTarget } from './resolve-target.ts';
import { claimSession } from './session-owner.ts';

const REQUEST_ID_HEADER = 'x-amzn-bedrock-agentcore-runtime-request-id';
/** How long a failed invocation waits for a dying agent's exit to be reported. */
const EXIT_GRACE_MS = 500;

/**
 * POST /runtimes/{agentRuntimeArn}/invocations: authenticate (SigV4 or bearer, per the runtime),
 * bind the session to its user, start the session's agent if needed, mint the WAT, forward, stream back.
 */
export const invokeAgentRuntime = (env: RuntimeEnv, path = '/runtimes/:agentRuntimeArn/invocations') => defineRoute({
  method: 'POST',
  path,
  query: targetQuery,
  headers: invokeHeaders,
  readsBody: true,
  handle: async ({ query, headers: h, rc }) => {
    const { services, sessions } = env;
    const { req, res } = rc;
    const body = await readBody(req, env.options.maxPayloadBytes);
    const rawQuery = req.url && req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
    const target = await resolveTarget(services, rc.params.agentRuntimeArn!, query);
    const caller = await authenticateInvocation(services, env.identity, req, rc.rawPath, rawQuery, body, target.version);
    const sessionId = h.runtimeSessionId ?? uuid();
    const rt = target.runtime;
    const lifecycle = target.version.lifecycleConfiguration;
    await claimSession(services.store, rt.agentRuntimeId, sessionId, caller.owner, services.clock.now(), lifecycle.maxLifetime * 1000);

    const [session, wat] = await Promise.all([
      sessions.acquire(rt.agentRuntimeId, sessionId, target.version, rt.workloadName),
      env.identity.mintWorkloadAccessToken(caller.userToken === undefined
        ? { workloadName: rt.workloadName, user: caller.user }
        : { workloadName: rt.workloadName, user: caller.user, userToken: caller.userToken }),
    ]);
    const headers: Record<string, string> = {
      ...allowedHeaders(req.headers, target.version.requestHeaderAllowlist),
      ...negotiatedHeaders(req.headers, body),
      [SESSION_HEADER]: sessionId,
      [REQUEST_ID_HEADER]: rc.requestId ?? uuid(),
      workloadaccesstoken: wat,
      'x-amz-bedrock-agentcore-identity-wat': wat,
      oauth2callbackurl: env.identity.returnPageUrl,
    };
    const end = sessions.begin(session);
    try {
      await proxyInvocation({
        port: session.proc.port,
        path: contractOf(target.version.protocolConfiguration.serverProtocol).invokePath,
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
