import { request } from 'node:http';
import { MandateError, uuid } from '@mandate/core';
import { sendJson } from '@mandate/http';
import { defineRoute } from '@mandate/edge';
import type { RuntimeEnv } from '../env.ts';
import { contractOf } from '../protocols.ts';
import { rewriteAgentCard } from './agent-card.ts';
import { authenticateInvocation } from './inbound-auth.ts';
import { invokeHeaders, SESSION_HEADER, targetQuery } from './inputs.ts';
import { resolveTarget } from './resolve-target.ts';
import { openSession, rawQueryOf } from './open-session.ts';

const CARD_LIMIT = 1024 * 1024;
const CARD_TIMEOUT_MS = 10_000;

function fetchCard(port: number, path: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const fail = (why: string) => new MandateError('runtime_client_error', `The agent's card could not be read: ${why}.`);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { ...headers, accept: 'application/json' }, timeout: CARD_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > CARD_LIMIT) req.destroy(fail('it is larger than 1 MiB'));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(fail(`the agent answered HTTP ${res.statusCode}`));
        try {
          const card = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          if (typeof card !== 'object' || card === null || Array.isArray(card)) return reject(fail('it is not a JSON object'));
          resolve(card as Record<string, unknown>);
        } catch {
          reject(fail('it is not JSON'));
        }
      });
      res.on('error', () => reject(fail('the connection failed')));
    });
    req.on('timeout', () => req.destroy(fail('the agent did not answer in time')));
    req.on('error', (err) => reject(err instanceof MandateError ? err : fail('the agent could not be reached')));
    req.end();
  });
}

/**
 * GET /runtimes/{agentRuntimeArn}/invocations/.well-known/agent-card.json (GetAgentCard): the A2A agent's
 * card, read from the session's agent (started if needed, with the same authentication and session
 * binding as an invocation), its interface URLs rewritten to Mandate's invocation URL.
 */
export const getAgentCard = (env: RuntimeEnv) => defineRoute({
  method: 'GET',
  path: '/runtimes/:agentRuntimeArn/invocations/.well-known/agent-card.json',
  query: targetQuery,
  headers: invokeHeaders,
  handle: async ({ query, headers: h, rc }) => {
    const { services, sessions } = env;
    const { req } = rc;
    const rawQuery = rawQueryOf(req);
    const target = await resolveTarget(services, rc.params.agentRuntimeArn!, query);
    const caller = await authenticateInvocation(services, env.identity, req, rc.rawPath, rawQuery, Buffer.alloc(0), target.version);
    const protocol = target.version.protocolConfiguration.serverProtocol;
    const cardPath = contractOf(protocol).cardPath;
    if (cardPath === undefined) {
      throw new MandateError('validation', `Agent runtime ${target.runtime.agentRuntimeId} serves ${protocol}, which has no agent card; GetAgentCard needs an A2A runtime.`);
    }
    const sessionId = h.runtimeSessionId ?? uuid();
    const rt = target.runtime;
    const session = await openSession(env, target, caller, sessionId);
    const end = sessions.begin(session);
    try {
      // The caller's A2A-Version picks the card's shape (v1.0 or v0.3), as it would talking to the agent directly.
      const version = req.headers['a2a-version'];
      const card = await fetchCard(session.proc.port, cardPath, { [SESSION_HEADER]: sessionId, ...(typeof version === 'string' ? { 'a2a-version': version } : {}) });
      const qualifier = target.qualifier === 'DEFAULT' ? '' : `?qualifier=${encodeURIComponent(target.qualifier)}`;
      const invocationUrl = `${services.config.publicUrl}/runtimes/${encodeURIComponent(rt.agentRuntimeArn)}/invocations/${qualifier}`;
      sendJson(rc.res, 200, rewriteAgentCard(card, session.proc.port, invocationUrl), { [SESSION_HEADER]: sessionId });
    } finally {
      end();
    }
  },
});
