import { sendJson } from '@mandate/http';
import { defineRoute } from '@mandate/edge';
import type { RuntimeEnv } from '../env.ts';

/**
 * GET /ping: the runtime's own health in the container contract's shape. `Healthy` while Mandate
 * serves requests; `HealthyBusy` when any live session is working (a request in flight). Per-session
 * detail is counts only: nothing about users or session ids is exposed without authentication.
 */
export const pingRuntime = (env: RuntimeEnv) => defineRoute({
  method: 'GET',
  path: '/ping',
  handle: async ({ rc }) => {
    const live = env.sessions.list();
    const busy = live.some((s) => s.inflight > 0);
    sendJson(rc.res, 200, {
      status: busy ? 'HealthyBusy' : 'Healthy',
      time_of_last_update: Math.floor(env.services.clock.now() / 1000),
      liveSessions: live.length,
      maxLiveSessions: env.options.maxLiveSessions,
    });
  },
});
