import { readBody, sendJson } from '@mandate/http';
import { defineRoute } from '@mandate/edge';
import type { RuntimeEnv } from '../env.ts';
import { authenticateInvocation } from './inbound-auth.ts';
import { SESSION_HEADER, stopHeaders, targetQuery } from './inputs.ts';
import { rawQueryOf } from './open-session.ts';
import { resolveTarget } from './resolve-target.ts';
import { assertSessionOwner, forgetSession } from './session-owner.ts';

/** POST /runtimes/{agentRuntimeArn}/stopruntimesession: the session's owner (or an admin key) may stop it. */
export const stopRuntimeSession = (env: RuntimeEnv) => defineRoute({
  method: 'POST',
  path: '/runtimes/:agentRuntimeArn/stopruntimesession',
  query: targetQuery,
  headers: stopHeaders,
  readsBody: true,
  handle: async ({ query, headers: h, rc }) => {
    const { services, sessions } = env;
    const body = await readBody(rc.req, 64 * 1024);
    const rawQuery = rawQueryOf(rc.req);
    const target = await resolveTarget(services, rc.params.agentRuntimeArn!, query);
    const caller = await authenticateInvocation(services, env.identity, rc.req, rc.rawPath, rawQuery, body, target.version);
    const sessionId = h.runtimeSessionId;
    const id = target.runtime.agentRuntimeId;
    // The SDK's StopRuntimeSession carries no user id: an admin-signed call without one may stop any
    // session of the runtime (it could open sessions as any user anyway); a bearer caller only its own.
    await assertSessionOwner(services.store, id, sessionId, caller.user.kind === 'none' ? undefined : caller.owner);
    await sessions.stop(id, sessionId);
    await forgetSession(services.store, id, sessionId);
    sendJson(rc.res, 200, {}, { [SESSION_HEADER]: sessionId });
  },
});
