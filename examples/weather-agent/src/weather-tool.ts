/**
 * The `get_weather` Strands tool. It needs the user's Entra token: when the user has not consented
 * yet it raises a typed `auth_required` interrupt carrying the authorization URL, instead of
 * returning prose for the model to interpret (the seed's flaw). The run loop resumes the same tool
 * call once the token is released, so the model is not asked again.
 */
import { tool, type InvokableTool, type ToolContext } from '@strands-agents/sdk';
import { z } from 'zod';
import type { UserTokenGate } from './user-token.ts';
import type { WeatherApi, WeatherReport } from './weather-api.ts';

export const WEATHER_TOOL_NAME = 'get_weather';
export const AUTH_REQUIRED = 'auth_required';

/** The interrupt reason the run loop turns into its own SSE event. */
export interface AuthRequiredReason {
  readonly authorizationUrl: string;
  readonly [key: string]: string;
}

const weatherInput = z.object({
  city: z.string().trim().min(1).max(100).describe('City name, e.g. "San Francisco"'),
});

export function createWeatherTool(gate: UserTokenGate, api: WeatherApi): InvokableTool<z.infer<typeof weatherInput>, WeatherReport> {
  return tool({
    name: WEATHER_TOOL_NAME,
    description: 'Retrieves the weather for a given city. Needs the signed-in user\'s consent the first time.',
    inputSchema: weatherInput,
    callback: async ({ city }, context?: ToolContext): Promise<WeatherReport> => {
      const access = await gate.acquire();
      if ('authorizationUrl' in access) {
        if (!context) throw new Error('get_weather needs a tool context to ask for consent');
        const reason: AuthRequiredReason = { authorizationUrl: access.authorizationUrl };
        // Throws on the first pass and stops the run with stopReason 'interrupt'.
        context.interrupt({ name: AUTH_REQUIRED, reason });
      }
      // Either the vault already held a token, or the run was resumed after consent released it.
      const token = 'accessToken' in access ? access.accessToken : gate.accessToken;
      if (token === undefined) throw new Error('Resumed without a released token');
      return api.forecast(city, token);
    },
  });
}
