import { readBody, sendJson, type RequestContext } from '@mandate/http';
import type { RuntimeEnv } from '../env.ts';
import { authenticateInvocation } from './inbound-auth.ts';
import { resolveTarget, sessionIdOf, SESSION_HEADER } from './resolve-target.ts';
import { assertSessionOwner, forgetSession } from './session-owner.ts';

/** POST /runtimes/{agentRuntimeArn}/stopruntimesession: the session's owner (or an admin key) may stop it. */
export async function stopRuntimeSession(env: RuntimeEnv, rc: RequestContext): Promise<void> {
  const { services, sessions } = env;
  const body = await readBody(rc.req, 64 * 1024);
  const rawQuery = rc.req.url && rc.req.url.includes('?') ? rc.req.url.slice(rc.req.url.indexOf('?') + 1) : '';
  const target = await resolveTarget(services, rc.params.agentRuntimeArn!, rc.query);
  const caller = await authenticateInvocation(services, env.identity, rc.req, rc.rawPath, rawQuery, body, target.version);
  const sessionId = sessionIdOf(rc.req, true);
  const id = target.runtime.agentRuntimeId;
  // The SDK's StopRuntimeSession carries no user id: an admin-signed call without one may stop any
  // session of the runtime (it could open sessions as any user anyway); a bearer caller only its own.
  await assertSessionOwner(services.store, id, sessionId, caller.user.kind === 'none' ? undefined : caller.owner);
  await sessions.stop(id, sessionId);
  await forgetSession(services.store, id, sessionId);
  sendJson(rc.res, 200, {}, { [SESSION_HEADER]: sessionId });
}
