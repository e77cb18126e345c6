/**
 * A deterministic, offline Strands model: the default for the example, the demo and the tests.
 *
 * Turn 1 (a user prompt): call `get_weather` with the city parsed from the prompt.
 * Turn 2 (the tool result): answer in one sentence built from the tool result.
 * It speaks the same stream-event protocol as BedrockModel, so the agent loop is exercised for real.
 */
import { Model, type BaseModelConfig, type Message, type ModelStreamEvent, type StreamOptions } from '@strands-agents/sdk';
import { WEATHER_TOOL_NAME } from './weather-tool.ts';

const CITY_PATTERN = /\b(?:weather|forecast|temperature)\b[^]*?\b(?:in|for|at)\s+([^?!.,;:\n]{1,100})/i;

const TRAILING_TIME = /\s+(?:today|tonight|tomorrow|now|right now|this (?:morning|afternoon|evening|week))\s*$/i;

/** "Weather in San Francisco?" → "San Francisco"; undefined when no city is named. */
export function parseCity(prompt: string): string | undefined {
  const city = CITY_PATTERN.exec(prompt)?.[1]?.replace(TRAILING_TIME, '').trim();
  return city ? city : undefined;
}

interface ToolOutcome {
  readonly status: 'success' | 'error';
  readonly json?: unknown;
  readonly text: string;
}

function lastToolOutcome(message: Message | undefined): ToolOutcome | undefined {
  if (message?.role !== 'user') return undefined;
  for (const block of message.content) {
    if (block.type !== 'toolResultBlock') continue;
    let json: unknown;
    let text = '';
    for (const part of block.content) {
      if (part.type === 'jsonBlock') json = part.json;
      else if (part.type === 'textBlock') text += part.text;
    }
    return { status: block.status, json, text };
  }
  return undefined;
}

function latestPrompt(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== 'user') continue;
    const text = message.content.flatMap((block) => (block.type === 'textBlock' ? [block.text] : [])).join(' ');
    if (text) return text;
  }
  return '';
}

interface ReportLike {
  city: string;
  condition: string;
  temperatureC: number;
  windKph: number;
  checkedFor: { oid: string; preferredUsername: string | null };
}

function isReport(value: unknown): value is ReportLike {
  const v = value as ReportLike | null;
  return typeof v?.city === 'string' && typeof v.condition === 'string' && typeof v.checkedFor?.oid === 'string';
}

/** The sentence the scripted model answers with; exported so tests assert the exact text. */
export function weatherSentence(report: ReportLike): string {
  const who = report.checkedFor.preferredUsername ?? 'the signed-in user';
  return `The weather in ${report.city} is ${report.condition}, ${report.temperatureC}°C with wind at ${report.windKph} km/h ` +
    `(checked with the Entra token of ${who}, oid ${report.checkedFor.oid}).`;
}

export class ScriptedWeatherModel extends Model<BaseModelConfig> {
  #config: BaseModelConfig = { modelId: 'mandate-scripted-weather' };
  #calls = 0;

  /** How many times the agent called this model (tests assert auth needs no extra model call). */
  get calls(): number {
    return this.#calls;
  }

  override updateConfig(modelConfig: BaseModelConfig): void {
    this.#config = { ...this.#config, ...modelConfig };
  }

  override getConfig(): BaseModelConfig {
    return this.#config;
  }

  override async *stream(messages: Message[], _options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    this.#calls += 1;
    yield { type: 'modelMessageStartEvent', role: 'assistant' };
    const outcome = lastToolOutcome(messages.at(-1));
    if (outcome) {
      const text = outcome.status === 'success' && isReport(outcome.json)
        ? weatherSentence(outcome.json)
        : `I could not get the weather: ${outcome.text.replace(/^\w*Error: /, '') || 'the weather tool failed'}`;
      yield* textBlock(text);
      yield { type: 'modelMessageStopEvent', stopReason: 'endTurn' };
      return;
    }
    const city = parseCity(latestPrompt(messages));
    if (city === undefined) {
      yield* textBlock('Which city would you like the weather for? Try "Weather in San Francisco?".');
      yield { type: 'modelMessageStopEvent', stopReason: 'endTurn' };
      return;
    }
    yield {
      type: 'modelContentBlockStartEvent',
      start: { type: 'toolUseStart', name: WEATHER_TOOL_NAME, toolUseId: `tooluse_weather_${this.#calls}` },
    };
    yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'toolUseInputDelta', input: JSON.stringify({ city }) } };
    yield { type: 'modelContentBlockStopEvent' };
    yield { type: 'modelMessageStopEvent', stopReason: 'toolUse' };
  }
}

/** Streams a text block in word-sized deltas, as a real model would. */
function* textBlock(text: string): Generator<ModelStreamEvent> {
  yield { type: 'modelContentBlockStartEvent' };
  for (const piece of text.match(/\S+\s*/g) ?? [text]) {
    yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'textDelta', text: piece } };
  }
  yield { type: 'modelContentBlockStopEvent' };
}
