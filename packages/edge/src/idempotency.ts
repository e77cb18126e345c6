import { createHash } from 'node:crypto';
import { MandateError } from '@mandate/core';
import type { EdgeServices } from './services.ts';
import { StoreConflictError } from '@mandate/storage';

/** Where answers to clientTokens are remembered, `{operation}/{clientToken}` → the first answer, for every part. */
export const CLIENT_TOKENS_COLLECTION = 'client-tokens';

/** How long a clientToken is remembered (AWS keeps idempotency tokens for hours; the SDKs retry within seconds). */
const WINDOW_MS = 8 * 60 * 60_000;

interface Remembered {
  hash: string;
  response: unknown;
}

/**
 * AWS idempotency for Create operations: the official SDKs fill `clientToken` with a fresh UUID per call
 * and reuse it when they retry, so a retry after a lost response gets the first answer instead of a
 * ConflictException. The same token with a different request is refused (nothing is created).
 */
export async function idempotent<T>(services: EdgeServices, operation: string, clientToken: string | undefined, input: Record<string, unknown>, create: () => Promise<T>): Promise<T> {
  if (clientToken === undefined) return create();
  const { clientToken: _token, ...rest } = input;
  const hash = createHash('sha256').update(JSON.stringify(rest)).digest('base64url');
  const key = `${operation}/${clientToken}`;
  const replay = (r: Remembered): T => {
    if (r.hash !== hash) {
      throw new MandateError('validation', 'This clientToken was already used with a different request. Use a new clientToken for a new request.', { reason: 'IdempotentParameterMismatchException' });
    }
    return r.response as T;
  };
  const seen = await services.store.get<Remembered>(CLIENT_TOKENS_COLLECTION, key);
  if (seen) return replay(seen.doc);
  const response = await create();
  try {
    await services.store.insert<Remembered>(CLIENT_TOKENS_COLLECTION, key, { hash, response }, { expiresAt: services.clock.now() + WINDOW_MS });
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
  }
  return response;
}
