import { MandateError, uuid } from '@mandate/core';
import { parseJsonObject, readBody } from '@mandate/http';
import { defineRoute, validateInput } from '@mandate/edge';
import type { RuntimeEnv } from '../env.ts';
import { runSessionCommand } from '../sessions/session-command.ts';
import { EVENT_STREAM_CONTENT_TYPE, eventMessage } from './event-stream.ts';
import { authenticateInvocation } from './inbound-auth.ts';
import { commandBody, invokeHeaders, SESSION_HEADER, targetQuery } from './inputs.ts';
import { resolveTarget } from './resolve-target.ts';
import { openSession, rawQueryOf } from './open-session.ts';

const BODY_LIMIT = 128 * 1024;
const DEFAULT_TIMEOUT_S = 300;

/**
 * POST /runtimes/{agentRuntimeArn}/commands (InvokeAgentRuntimeCommand): runs a shell command in the
 * session's agent environment (its directory, its environment, its workload key; the agent is started
 * first if the session has none) and streams `contentStart`, `contentDelta` (stdout/stderr) and
 * `contentStop` (exit code, COMPLETED or TIMED_OUT) as an AWS event stream. A command sees the agent's
 * credentials, which serve every user of the runtime, so only admin keys may run one; a user's bearer
 * token or a propagated WAT may not. StopRuntimeSession ends a running command.
 */
export const invokeAgentRuntimeCommand = (env: RuntimeEnv) => defineRoute({
  method: 'POST',
  path: '/runtimes/:agentRuntimeArn/commands',
  query: targetQuery,
  headers: invokeHeaders,
  readsBody: true,
  handle: async ({ query, headers: h, rc }) => {
    const { services, sessions } = env;
    const { req, res } = rc;
    const body = await readBody(req, BODY_LIMIT);
    const rawQuery = rawQueryOf(req);
    const target = await resolveTarget(services, rc.params.agentRuntimeArn!, query);
    const caller = await authenticateInvocation(services, env.identity, req, rc.rawPath, rawQuery, body, target.version);
    if (caller.via !== 'admin-key') {
      throw new MandateError('access_denied', 'Running commands in a runtime session needs an admin access key: a command sees the agent\'s environment and credentials, which serve every user of the runtime.');
    }
    const input = validateInput(commandBody, parseJsonObject(body));
    const sessionId = h.runtimeSessionId ?? uuid();
    const rt = target.runtime;
    const session = await openSession(env, target, caller, sessionId);
    const logger = services.logger.child({ agentRuntimeId: rt.agentRuntimeId, runtimeSessionId: sessionId });
    const end = sessions.begin(session);
    const { cwd, env: agentEnv, secrets } = session.proc.environment;
    try {
      res.writeHead(200, { 'content-type': EVENT_STREAM_CONTENT_TYPE, [SESSION_HEADER]: sessionId, 'x-amzn-requestid': rc.requestId });
      res.write(eventMessage('chunk', { contentStart: {} }));
      logger.info('session command started');
      const cmd = runSessionCommand({
        command: input.command, cwd, env: agentEnv, secrets, logger,
        timeoutMs: (input.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
        onOutput: (stream, text) => res.write(eventMessage('chunk', { contentDelta: { [stream]: text } })),
        drained: () => new Promise((resolve) => res.once('drain', resolve)),
      });
      const detach = () => cmd.kill();
      session.attached.add(detach);
      // A caller that goes away ends its command.
      const gone = () => cmd.kill();
      res.once('close', gone);
      const exit = await cmd.exited;
      res.off('close', gone);
      session.attached.delete(detach);
      logger.info('session command ended', { exitCode: exit.exitCode, status: exit.status });
      res.end(eventMessage('chunk', { contentStop: exit }));
    } finally {
      end();
    }
  },
});
