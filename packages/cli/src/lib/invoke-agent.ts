import { randomUUID } from 'node:crypto';
import { UserError } from '../command.ts';
import type { DevJson } from '../stack/dev-json.ts';
import { parseSse, type SseEvent } from './sse.ts';

export interface InvokeOptions {
  d: DevJson;
  agentName: string;
  prompt: string;
  bearerToken: string;
  sessionId?: string;
  /** Called for each event as it arrives. */
  onEvent(e: SseEvent): void | Promise<void>;
  signal?: AbortSignal;
}

export interface InvokeResult {
  sessionId: string;
  events: SseEvent[];
  answer: string | undefined;
}

/**
 * Invokes a deployed agent the way the AgentCore CLI's bearer path does: plain HTTPS with
 * `Authorization: Bearer`, `?qualifier=DEFAULT`, JSON in, SSE out (agentcore-runtime-api.md §1.3).
 */
export async function invokeAgent(o: InvokeOptions): Promise<InvokeResult> {
  const agent = o.d.runtime.agents.find((a) => a.name === o.agentName);
  if (!agent) throw new UserError(`No agent named "${o.agentName}" in this stack.`, `Deployed agents: ${o.d.runtime.agents.map((a) => a.name).join(', ') || 'none'}.`);
  // The service requires session ids of at least 33 characters; two UUIDs make a valid one.
  const sessionId = o.sessionId ?? `${randomUUID()}-${randomUUID().slice(0, 8)}`;
  const url = `${o.d.runtime.dataPlaneEndpoint}/runtimes/${encodeURIComponent(agent.agentRuntimeArn)}/invocations?qualifier=DEFAULT`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${o.bearerToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-amzn-bedrock-agentcore-runtime-session-id': sessionId,
      },
      body: JSON.stringify({ prompt: o.prompt }),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (err) {
    throw new UserError(`Cannot reach Mandate at ${o.d.runtime.dataPlaneEndpoint}: ${(err as Error).message}.`, 'Is `npm start` still running?');
  }
  if (!res.ok) {
    const type = res.headers.get('x-amzn-errortype') ?? `HTTP ${res.status}`;
    let message = '';
    try {
      message = ((await res.json()) as { message?: string }).message ?? '';
    } catch {
      /* not JSON */
    }
    throw new UserError(`The agent call failed: ${type}${message ? `: ${message}` : ''}.`, res.status === 401 ? 'Sign in again; the token may have expired.' : undefined);
  }
  const events: SseEvent[] = [];
  let answer: string | undefined;
  if (!res.headers.get('content-type')?.includes('text/event-stream')) {
    const text = await res.text();
    return { sessionId, events, answer: text };
  }
  for await (const e of parseSse(res.body as AsyncIterable<Uint8Array>)) {
    events.push(e);
    if (e.event === 'done') {
      try {
        answer = (JSON.parse(e.data) as { text?: string }).text;
      } catch {
        answer = e.data;
      }
    }
    await o.onEvent(e);
  }
  return { sessionId, events, answer };
}
