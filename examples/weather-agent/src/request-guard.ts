/**
 * Rejects bad invocations before the official app's route handler runs.
 *
 * Why: in bedrock-agentcore 0.4.4 (+ @fastify/sse 0.4.0) every error reply the app sends *after*
 * @fastify/sse has switched the response to `text/event-stream` — i.e. whenever the caller's Accept
 * includes it, which is what the AgentCore CLI and runtimes send — fails inside Fastify with
 * FST_ERR_REP_INVALID_PAYLOAD_TYPE and reaches the caller as an empty 500. Validating in a
 * `preHandler` hook (before the SSE wrapper) gives the caller the app's own 400 bodies instead.
 * The hook is attached through the app's Fastify instance; if a future SDK hides it, we skip the
 * guard and the SDK's own (then hopefully fixed) validation applies.
 */
import type { BedrockAgentCoreApp } from 'bedrock-agentcore/runtime';
import type { z } from 'zod';

interface HookRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}
interface HookReply {
  code(status: number): HookReply;
  type(contentType: string): HookReply;
  send(payload: string): unknown;
}
interface HookHost {
  addHook(name: 'preHandler', hook: (request: HookRequest, reply: HookReply) => Promise<unknown>): unknown;
}

const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';

export function guardInvocations(app: BedrockAgentCoreApp, schema: z.ZodType): boolean {
  const host = (app as unknown as { _app?: Partial<HookHost> })._app;
  if (typeof host?.addHook !== 'function') return false;
  host.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/invocations') return;
    const reject = (body: object) => reply.code(400).type('application/json').send(JSON.stringify(body));
    const sessionId = request.headers[SESSION_HEADER] || (request.body as { sessionId?: unknown } | null)?.sessionId;
    if (!sessionId) {
      return reject({ error: 'Missing sessionId. Provide via x-amzn-bedrock-agentcore-runtime-session-id header or request body.' });
    }
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) return reject({ error: 'Invalid request body format', details: parsed.error.issues });
  });
  return true;
}
