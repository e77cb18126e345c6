/**
 * Structured JSON logger with redaction. Secrets must never reach a log line (RFC 9700 §4.2-4.3,
 * OWASP logging cheat sheet): known secret-bearing keys are replaced, and any registered secret
 * value is masked wherever it appears in a string.
 */
const SECRET_KEYS = new Set([
  'authorization', 'cookie', 'set-cookie', 'code', 'code_verifier', 'codeverifier', 'refresh_token', 'refreshtoken',
  'access_token', 'accesstoken', 'id_token', 'idtoken', 'client_secret', 'clientsecret', 'api_key', 'apikey',
  'secretaccesskey', 'secret', 'password', 'usertoken', 'workloadaccesstoken', 'workloadidentitytoken', 'token',
  'assertion', 'client_assertion', 'request_uri', 'session_id', 'sessionuri', 'state', 'customstate',
  'x-amz-bedrock-agentcore-identity-wat', 'x-amz-security-token',
]);

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]';
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(options: { level?: LogLevel; sink?: LogSink; base?: Record<string, unknown> } = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const sink = options.sink ?? { write: (l: string) => process.stderr.write(l) };
  const base = options.base ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const rec = { time: new Date().toISOString(), level, msg, ...base, ...(fields ? (redact(fields) as object) : {}) };
    sink.write(JSON.stringify(rec) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger({ ...options, base: { ...base, ...(redact(f) as object) } }),
  };
}

/** A logger that keeps lines in memory: tests use it to assert that nothing secret was logged. */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, sink: { write: (l) => lines.push(l) } });
  return Object.assign(logger, { lines });
}

export const silentLogger: Logger = createLogger({ level: 'error', sink: { write: () => {} } });
