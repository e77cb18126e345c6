/**
 * Environment of the weather agent, validated once at start-up (README.md lists every variable).
 */
import { z } from 'zod';
import { scopeShortName } from './weather-api.ts';

const flag = z.enum(['true', 'false']).default('false').transform((value) => value === 'true');
const optional = z.string().trim().min(1).optional();

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Both identity clients take the endpoint from AWS_ENDPOINT_URL_BEDROCK_AGENTCORE; the official one also needs AWS_REGION.
    AWS_REGION: optional,
    WEATHER_IDENTITY_CLIENT: z.enum(['mandate', 'official']).default('mandate'),
    WEATHER_SCOPE: z.string().trim().min(1).max(128),
    WEATHER_PROVIDER_NAME: z.string().regex(/^[a-zA-Z0-9\-_]{1,128}$/).default('ms_entra_oauth_provider'),
    WEATHER_FORCE_AUTHENTICATION: flag,
    WEATHER_API_ISSUER: optional,
    WEATHER_API_JWKS_URI: z.url({ protocol: /^https?$/ }).optional(),
    WEATHER_API_AUDIENCE: optional,
  })
  .refine((env) => env.WEATHER_IDENTITY_CLIENT !== 'official' || env.AWS_REGION !== undefined, {
    message: 'AWS_REGION is required by the official identity client', path: ['AWS_REGION'],
  })
  .refine(
    (env) => [env.WEATHER_API_ISSUER, env.WEATHER_API_JWKS_URI, env.WEATHER_API_AUDIENCE].every((v) => v === undefined) ||
      [env.WEATHER_API_ISSUER, env.WEATHER_API_JWKS_URI, env.WEATHER_API_AUDIENCE].every((v) => v !== undefined),
    { message: 'Set all of WEATHER_API_ISSUER, WEATHER_API_JWKS_URI and WEATHER_API_AUDIENCE, or none', path: ['WEATHER_API_ISSUER'] },
  );

export interface WeatherAgentConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly identityClient: 'mandate' | 'official';
  readonly providerName: string;
  readonly scopes: readonly string[];
  readonly requiredScope: string;
  readonly forceAuthentication: boolean;
  /** Present when the weather API should verify token signatures. */
  readonly verification?: { readonly issuer: string; readonly jwksUri: string; readonly audiences: readonly string[] };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): WeatherAgentConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    throw new ConfigError(`Invalid weather-agent configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    identityClient: e.WEATHER_IDENTITY_CLIENT,
    providerName: e.WEATHER_PROVIDER_NAME,
    scopes: [e.WEATHER_SCOPE],
    requiredScope: scopeShortName(e.WEATHER_SCOPE),
    forceAuthentication: e.WEATHER_FORCE_AUTHENTICATION,
    ...(e.WEATHER_API_ISSUER && e.WEATHER_API_JWKS_URI && e.WEATHER_API_AUDIENCE
      ? { verification: { issuer: e.WEATHER_API_ISSUER, jwksUri: e.WEATHER_API_JWKS_URI, audiences: e.WEATHER_API_AUDIENCE.split(',').map((a) => a.trim()) } }
      : {}),
  };
}
