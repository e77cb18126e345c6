/**
 * The weather agent as an AgentCore-compatible HTTP app (`POST /invocations`, `GET /ping`).
 *
 * Every invocation builds its own model, token gate, tool and Agent: nothing about a user or a
 * session outlives the request or is shared with a concurrent session in the same process.
 */
import { Agent, type Model } from '@strands-agents/sdk';
import { BedrockAgentCoreApp } from 'bedrock-agentcore/runtime';
import { z } from 'zod';
import type { ModelFactory } from './model.ts';
import { guardInvocations } from './request-guard.ts';
import { runWeatherAgent } from './run.ts';
import type { TokenSource } from './token.ts';
import { UserTokenGate } from './user-token.ts';
import type { WeatherApi } from './weather-api.ts';
import { createWeatherTool } from './weather-tool.ts';

const SYSTEM_PROMPT =
  'You are a weather assistant. For any question about the weather, call get_weather with the city, ' +
  'then answer in one sentence using only the tool result, including whose token it was checked with.';

export const invocationSchema = z.object({ prompt: z.string().trim().min(1).max(4000) });

export interface WeatherAppDeps {
  readonly tokens: TokenSource;
  readonly weatherApi: WeatherApi;
  readonly newModel: ModelFactory;
  readonly logLevel?: string;
}

/** A Strands agent for one invocation. `printer: false`: servers must not write model output to stdout. */
export function createWeatherAgent(model: Model, gate: UserTokenGate, weatherApi: WeatherApi): Agent {
  return new Agent({ model, tools: [createWeatherTool(gate, weatherApi)], systemPrompt: SYSTEM_PROMPT, printer: false });
}

export function createWeatherApp(deps: WeatherAppDeps): BedrockAgentCoreApp {
  const app = new BedrockAgentCoreApp({
    invocationHandler: {
      requestSchema: invocationSchema,
      process: async function* (request, context) {
        const gate = new UserTokenGate(deps.tokens, {
          workloadAccessToken: context.workloadAccessToken,
          callbackUrl: context.oauth2CallbackUrl,
        });
        const agent = createWeatherAgent(deps.newModel(), gate, deps.weatherApi);
        // /ping reports HealthyBusy while an invocation (possibly waiting for consent) is running,
        // so a runtime does not treat the session as idle.
        const task = app.addAsyncTask('weather-invocation', { sessionId: context.sessionId });
        try {
          yield* runWeatherAgent(agent, gate, request.prompt);
        } finally {
          app.completeAsyncTask(task);
        }
      },
    },
    config: { logging: { options: { level: deps.logLevel ?? 'info' } } },
  });
  guardInvocations(app, invocationSchema);
  return app;
}
