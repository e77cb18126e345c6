import { z } from 'zod';
import { UserError } from '../command.ts';

/**
 * Server configuration from the environment, parsed once at the edge. Every problem is reported at
 * once, in plain language. See docs/configuration.md.
 */
const schema = z.object({
  MANDATE_HOST: z.string().min(1).default('127.0.0.1'),
  MANDATE_PORT: z.coerce.number().int().min(0).max(65535).default(7600),
  MANDATE_PUBLIC_URL: z.url().optional(),
  MANDATE_DATA_DIR: z.string().min(1).optional(),
  MANDATE_DATABASE_URL: z.string().min(1).optional(),
  MANDATE_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like an AWS region, e.g. us-west-2').default('us-west-2'),
  MANDATE_ACCOUNT_ID: z.string().regex(/^\d{12}$/, 'must be 12 digits').default('000000000000'),
  MANDATE_ENTRA_AUTHORITY_BASE: z.url().default('https://login.microsoftonline.com'),
  MANDATE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  MANDATE_MAX_SESSIONS: z.coerce.number().int().min(1).max(10_000).default(32),
  MANDATE_DEV_MODE: z.enum(['0', '1', 'true', 'false']).optional(),
});

export interface ServerConfig {
  host: string;
  port: number;
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  region: string;
  accountId: string;
  entraAuthorityBase: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  maxSessions: number;
  devMode: boolean;
}

export function loadServerConfig(env: NodeJS.ProcessEnv, cwd: string, defaults: { devMode?: boolean; dataDir?: string } = {}): ServerConfig {
  const r = schema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new UserError(`The configuration is not valid:\n  ${lines.join('\n  ')}`, 'Fix the environment variables above (see docs/configuration.md).');
  }
  const c = r.data;
  const dev = c.MANDATE_DEV_MODE === undefined ? (defaults.devMode ?? false) : c.MANDATE_DEV_MODE === '1' || c.MANDATE_DEV_MODE === 'true';
  return Object.freeze({
    host: c.MANDATE_HOST,
    port: c.MANDATE_PORT,
    publicUrl: c.MANDATE_PUBLIC_URL?.replace(/\/+$/, ''),
    dataDir: c.MANDATE_DATA_DIR ?? defaults.dataDir ?? `${cwd}/.mandate`,
    databaseUrl: c.MANDATE_DATABASE_URL,
    region: c.MANDATE_REGION,
    accountId: c.MANDATE_ACCOUNT_ID,
    entraAuthorityBase: c.MANDATE_ENTRA_AUTHORITY_BASE.replace(/\/+$/, ''),
    logLevel: c.MANDATE_LOG_LEVEL,
    maxSessions: c.MANDATE_MAX_SESSIONS,
    devMode: dev,
  });
}
