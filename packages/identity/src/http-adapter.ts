import { MandateError, type FieldError } from '@mandate/core';
import { parseJsonObject, readBody, sendAwsError, type RequestContext, type Router } from '@mandate/http';
import { StoreConflictError } from '@mandate/storage';
import type { z } from 'zod';
import type { Operation, OperationContext } from './operation.ts';
import type { CallerIdentity, IdentityServices } from './services.ts';

/** AWS caps identity request bodies well below this; 1 MiB keeps a hostile client from buffering more. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Registers each Operation on the router. The pipeline is fixed and short because token retrieval
 * (GetResourceOauth2Token) runs through it: read body → verify SigV4 → plane check → parse JSON →
 * zod → handler → JSON. Every failure is rendered in the restJson1 error shape by sendAwsError.
 */
export function registerOperations(router: Router, services: IdentityServices, operations: readonly Operation[]): Router {
  for (const op of operations) router.add(op.method, op.path, (rc) => runOperation(op, services, rc));
  return router;
}

async function runOperation(op: Operation, services: IdentityServices, rc: RequestContext): Promise<void> {
  const { req, res, requestId } = rc;
  try {
    const body = await readBody(req, BODY_LIMIT);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const rawQuery = q === -1 ? '' : url.slice(q + 1);
    const caller = await services.authenticator.authenticate(req, rc.rawPath, rawQuery, body);
    checkPlane(op, caller);
    const json = parseJsonObject(body);
    const raw = op.inputFrom ? op.inputFrom(json, rc.params, rc.query) : json;
    const input = validateInput(op.input, raw);
    const ctx: OperationContext = { caller, requestId, services, params: rc.params, query: rc.query, req, res };
    const out = await op.handler(input, ctx);
    if (op.streams) return;
    sendResult(rc, op.successStatus, out);
  } catch (err) {
    sendAwsError(res, translateError(err), requestId, services.logger);
  }
}

function checkPlane(op: Operation, caller: CallerIdentity): void {
  if (caller.role === 'admin') return;
  if (op.plane === 'data' && caller.role === 'workload') return;
  throw new MandateError('access_denied', `The caller ${caller.accessKeyId} is not authorized to perform ${op.name}: control-plane operations need an admin access key.`);
}

function sendResult(rc: RequestContext, status: number, out: unknown): void {
  if (status === 204 || out === undefined) {
    rc.res.writeHead(status, { 'x-amzn-requestid': rc.requestId });
    rc.res.end();
    return;
  }
  const text = JSON.stringify(out);
  rc.res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': rc.requestId,
  });
  rc.res.end(text);
}

function translateError(err: unknown): unknown {
  if (err instanceof StoreConflictError) {
    return new MandateError('conflict', 'The resource was changed or created by another request at the same time. Retry the call.', { cause: err });
  }
  return err;
}

/** Validates `raw` with the operation's schema; zod issues become one AWS-style ValidationException. */
export function validateInput<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw, { error: awsIssueMessage });
  if (r.success) return r.data;
  throw zodToValidation(r.error.issues);
}

export function zodToValidation(issues: readonly z.core.$ZodIssue[]): MandateError {
  const fieldList: FieldError[] = issues.map((i) => ({ name: i.path.map(String).join('.') || 'body', message: i.message }));
  const n = fieldList.length;
  const details = fieldList.map((f) => `Value at '${f.name}' failed to satisfy constraint: ${f.message}`).join('; ');
  return new MandateError('validation', `${n} validation error${n === 1 ? '' : 's'} detected: ${details}`, { reason: 'FieldValidationFailed', fieldList });
}

/** Phrases generic zod issues the way AWS services do ("Member must not be null", ...). */
function awsIssueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined || iss.input === null ? 'Member must not be null' : `Member must be of type ${iss.expected}`;
    case 'too_small':
      return iss.origin === 'string' ? `Member must have length greater than or equal to ${iss.minimum}`
        : iss.origin === 'array' ? `Member must have length greater than or equal to ${iss.minimum}`
        : `Member must have value greater than or equal to ${iss.minimum}`;
    case 'too_big':
      return iss.origin === 'string' || iss.origin === 'array' || iss.origin === 'set'
        ? `Member must have length less than or equal to ${iss.maximum}`
        : `Member must have value less than or equal to ${iss.maximum}`;
    case 'invalid_value':
      if (iss.input === undefined || iss.input === null) return 'Member must not be null';
      return `Member must satisfy enum value set: [${iss.values.map(String).join(', ')}]`;
    case 'invalid_format':
      return iss.format === 'regex' && 'pattern' in iss ? `Member must satisfy regular expression pattern: ${String(iss.pattern)}` : `Member must be a valid ${iss.format}`;
    case 'unrecognized_keys':
      return `Unknown member${iss.keys.length === 1 ? '' : 's'}: ${iss.keys.join(', ')}`;
    default:
      return undefined;
  }
}
