/**
 * The pluggable model. `MANDATE_MODEL` picks it once at start-up; each invocation gets its own
 * instance from the returned factory (no model state is shared between sessions).
 *
 *   (unset) | scripted  deterministic offline ScriptedWeatherModel (default; tests and demo)
 *   bedrock             Strands BedrockModel (AWS credentials + BEDROCK_MODEL_ID / AWS_REGION)
 *   openai              Strands OpenAIModel against OPENAI_BASE_URL with OPENAI_API_KEY / OPENAI_MODEL
 *                       (needs the optional `openai` package: npm install openai -w examples/weather-agent)
 */
import { BedrockModel, type Model } from '@strands-agents/sdk';
import { ScriptedWeatherModel } from './scripted-model.ts';

export type ModelFactory = () => Model;

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

function required(env: NodeJS.ProcessEnv, name: string, forWhat: string): string {
  const value = env[name];
  if (!value) throw new ModelConfigError(`${name} is required when ${forWhat}`);
  return value;
}

export async function resolveModelFactory(env: NodeJS.ProcessEnv = process.env): Promise<ModelFactory> {
  const choice = env['MANDATE_MODEL'] ?? 'scripted';
  switch (choice) {
    case 'scripted':
      return () => new ScriptedWeatherModel();
    case 'bedrock': {
      const modelId = env['BEDROCK_MODEL_ID'];
      const region = env['BEDROCK_REGION'] ?? env['AWS_REGION'];
      return () => new BedrockModel({ ...(modelId ? { modelId } : {}), ...(region ? { region } : {}) });
    }
    case 'openai': {
      const baseURL = required(env, 'OPENAI_BASE_URL', 'MANDATE_MODEL=openai');
      const apiKey = required(env, 'OPENAI_API_KEY', 'MANDATE_MODEL=openai');
      const modelId = required(env, 'OPENAI_MODEL', 'MANDATE_MODEL=openai');
      let OpenAIModel: typeof import('@strands-agents/sdk/models/openai').OpenAIModel;
      try {
        ({ OpenAIModel } = await import('@strands-agents/sdk/models/openai'));
      } catch {
        throw new ModelConfigError('MANDATE_MODEL=openai needs the optional "openai" package: npm install openai -w examples/weather-agent');
      }
      // Chat Completions is what "OpenAI-compatible" servers (vLLM, Ollama, LiteLLM…) implement.
      return () => new OpenAIModel({ api: 'chat', modelId, apiKey, clientConfig: { baseURL } });
    }
    default:
      throw new ModelConfigError(`MANDATE_MODEL must be scripted, bedrock or openai (got "${choice}")`);
  }
}
