import type { IncomingMessage } from 'node:http';
import type { RuntimeEnv } from '../env.ts';
import type { LiveSession } from '../sessions/session-manager.ts';
import type { InvocationCaller } from './inbound-auth.ts';
import type { Target } from './resolve-target.ts';
import { claimSession } from './session-owner.ts';

/** The raw query string, as SigV4 signed it. */
export function rawQueryOf(req: IncomingMessage): string {
  return req.url && req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
}

/**
 * What every data-plane call that reaches an agent does once the caller is known: bind the session to
 * its owner (refused for anyone else, before any agent sees the request), then start or find the
 * session's agent, and mint the caller's WAT at the same time when the agent is to receive one.
 */
export async function openSession(env: RuntimeEnv, target: Target, caller: InvocationCaller, sessionId: string): Promise<LiveSession>;
export async function openSession(env: RuntimeEnv, target: Target, caller: InvocationCaller, sessionId: string, withWat: true): Promise<[LiveSession, string]>;
export async function openSession(env: RuntimeEnv, target: Target, caller: InvocationCaller, sessionId: string, withWat = false): Promise<LiveSession | [LiveSession, string]> {
  const { services, sessions } = env;
  const rt = target.runtime;
  await claimSession(services.store, rt.agentRuntimeId, sessionId, caller.owner, services.clock.now(), target.version.lifecycleConfiguration.maxLifetime * 1000);
  const acquiring = sessions.acquire(rt.agentRuntimeId, sessionId, target.version, rt.workloadName);
  if (!withWat) return acquiring;
  return Promise.all([
    acquiring,
    env.identity.mintWorkloadAccessToken(caller.userToken === undefined
      ? { workloadName: rt.workloadName, user: caller.user }
      : { workloadName: rt.workloadName, user: caller.user, userToken: caller.userToken }),
  ]);
}
