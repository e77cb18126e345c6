/**
 * One invocation of the weather agent, as a stream of SSE-ready events.
 *
 * Unlike the seed (which scanned the model's prose for "auth" keywords and then re-ran the whole
 * agent), the tool raises a typed `auth_required` interrupt. We surface it as its own event, wait
 * for the user's consent in the same invocation, and resume the agent with `interruptResponse`:
 * Strands re-runs only the pending tool call, so the model is not asked to rediscover anything.
 */
import type { Agent, AgentResult, InvokeArgs, StopReason } from '@strands-agents/sdk';
import type { UserTokenGate } from './user-token.ts';
import { AUTH_REQUIRED } from './weather-tool.ts';

/** Event shapes understood by BedrockAgentCoreApp's SSE writer (`{event?, data}`). */
export type WeatherEvent =
  | { readonly data: string } // text delta: `data: "<json string>"`, as the AgentCore CLI expects
  | { readonly event: 'auth_required'; readonly data: { readonly authorizationUrl: string } }
  | { readonly event: 'authorized'; readonly data: Record<string, never> }
  | { readonly event: 'done'; readonly data: { readonly stopReason: StopReason; readonly text: string } };

/** How many consent waits one invocation may go through before it gives up (guards against a loop). */
export const CONSENT_ROUNDS_MAX = 2;

export class AuthorizationFailedError extends Error {
  constructor(cause: unknown) {
    super(`Authorization was not completed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AuthorizationFailedError';
  }
}

function* textOf(result: AgentResult): Generator<string> {
  for (const block of result.lastMessage.content) if (block.type === 'textBlock') yield block.text;
}

export async function* runWeatherAgent(agent: Agent, gate: UserTokenGate, prompt: string): AsyncGenerator<WeatherEvent, AgentResult> {
  let args: InvokeArgs = prompt;
  for (let round = 0; ; round++) {
    const stream = agent.stream(args);
    let step: Awaited<ReturnType<typeof stream.next>> | undefined;
    try {
      for (step = await stream.next(); !step.done; step = await stream.next()) {
        const event = step.value;
        if (event.type === 'modelStreamUpdateEvent' && event.event.type === 'modelContentBlockDeltaEvent' && event.event.delta.type === 'textDelta') {
          yield { data: event.event.delta.text };
        }
      }
    } finally {
      // Our caller stopped early (e.g. the client went away): close the agent's stream so it cleans up.
      if (!step?.done) await stream.return(undefined as never);
    }
    const result = step.value;
    if (result.stopReason !== 'interrupt') {
      yield { event: 'done', data: { stopReason: result.stopReason, text: [...textOf(result)].join('') } };
      return result;
    }

    const interrupts = result.interrupts ?? [];
    const foreign = interrupts.find((interrupt) => interrupt.name !== AUTH_REQUIRED);
    if (foreign) throw new Error(`Unexpected interrupt "${foreign.name}"`);
    if (round >= CONSENT_ROUNDS_MAX) throw new AuthorizationFailedError('consent was requested too many times');

    // Parallel tool calls share one consent flow: announce each distinct URL once.
    const urls = new Set<string>();
    for (const interrupt of interrupts) {
      const reason = interrupt.reason as { authorizationUrl?: unknown } | undefined;
      if (typeof reason?.authorizationUrl === 'string') urls.add(reason.authorizationUrl);
    }
    for (const authorizationUrl of urls) yield { event: 'auth_required', data: { authorizationUrl } };

    try {
      await gate.waitForConsent();
    } catch (error) {
      throw new AuthorizationFailedError(error);
    }
    yield { event: 'authorized', data: {} };
    // The response is only a marker: the token itself never enters the conversation history.
    args = interrupts.map((interrupt) => ({ interruptResponse: { interruptId: interrupt.id, response: { authorized: true } } }));
  }
}
