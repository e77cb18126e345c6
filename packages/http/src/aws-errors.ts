import type { ServerResponse } from 'node:http';
import { isMandateError, MandateError, type Logger } from '@mandate/core';

/**
 * Renders any error in the AWS restJson1 shape: `x-amzn-errortype` header (the clients read the type
 * from it first) and a JSON body with `message` (plus `reason`/`fieldList` for ValidationException).
 * Unknown errors become a generic InternalServerException; their detail goes to the log only.
 */
export function sendAwsError(res: ServerResponse, err: unknown, requestId: string, logger?: Logger): void {
  const e = isMandateError(err) ? err : new MandateError('internal', 'The service hit an internal error. Try again; if it persists, check the server log for request ' + requestId + '.');
  if (!isMandateError(err)) logger?.error('unhandled error', { requestId, error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body: Record<string, unknown> = { message: e.message };
  if (e.reason) body.reason = e.reason;
  if (e.fieldList) body.fieldList = e.fieldList;
  const text = JSON.stringify(body);
  res.writeHead(e.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': e.awsType,
    'x-amzn-requestid': requestId,
    ...(e.headers ?? {}),
  });
  res.end(text);
}
