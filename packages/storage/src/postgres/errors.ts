import { MandateError } from '@mandate/core';

// Node socket errors and SQLSTATEs that mean "cannot reach or use the server", as opposed to a bug in a query.
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '28000', '28P01', '3D000']);
const MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /connection error/i, /Client was closed/i, /Cannot use a pool after calling end/i, /not queryable/i, /Query read timeout/i];

export function isUnavailable(err: unknown): boolean {
  if (err instanceof MandateError) return err.code === 'unavailable';
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (NETWORK.has(code) || SQLSTATES.has(code) || code.startsWith('08')) return true;
  return typeof e?.message === 'string' && MESSAGES.some((m) => m.test(e.message as string));
}

/**
 * Connection failures become one clear error with code `unavailable` (HTTP 503). The message names the
 * failure class only: never the URL, user or password. Anything else is rethrown unchanged.
 */
export function toStoreError(err: unknown): unknown {
  if (!isUnavailable(err) || err instanceof MandateError) return err;
  const code = (err as { code?: unknown }).code;
  return new MandateError('unavailable', `The database is unavailable${typeof code === 'string' && code ? ` (${code})` : ''}.`, { cause: err });
}
