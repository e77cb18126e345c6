import { MandateError } from '@mandate/core';
import { sendAwsError, type RequestContext } from '@mandate/http';
import { LockTimeoutError, StoreClosedError, StoreConflictError } from '@mandate/storage';
import type { EdgeServices } from './services.ts';

/** How long a caller should wait before retrying after a lock timeout (RFC 9110 §10.2.3 Retry-After, seconds). */
const LOCK_RETRY_AFTER_S = '1';

/**
 * The one place where failures of the parts below the edge become Mandate errors. A store conflict
 * that no operation turned into a more precise error is a retryable conflict; a lock timeout means
 * another request holds the resource (a refresh, a rotation) and is a 503 with Retry-After, not an
 * internal error. A store closed under a running request (shutdown) is the same retryable 503. Anything
 * else passes through unchanged (sendAwsError hides unknown errors).
 */
export function toMandateError(err: unknown): unknown {
  if (err instanceof StoreConflictError) {
    return new MandateError('conflict', 'The resource was changed or created by another request at the same time. Retry the call.', { cause: err });
  }
  if (err instanceof LockTimeoutError) {
    return new MandateError('unavailable', 'Another request is working on this resource right now. Retry in a moment.', { cause: err, headers: { 'retry-after': LOCK_RETRY_AFTER_S } });
  }
  if (err instanceof StoreClosedError) {
    // A request still running while the server shuts down: the client retries (elsewhere, or here once restarted).
    return new MandateError('unavailable', 'This server is shutting down. Retry the call in a moment.', { cause: err, headers: { 'retry-after': LOCK_RETRY_AFTER_S } });
  }
  return err;
}

/** Renders any failure in the AWS restJson1 shape, after toMandateError. */
export function renderAwsError(rc: Pick<RequestContext, 'res' | 'requestId'>, err: unknown, services: Pick<EdgeServices, 'logger'>): void {
  sendAwsError(rc.res, toMandateError(err), rc.requestId, services.logger);
}
