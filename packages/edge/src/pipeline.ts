import { MandateError } from '@mandate/core';
import { parseJsonObject, readBody, type RequestContext, type Router } from '@mandate/http';
import { renderAwsError } from './errors.ts';
import type { Operation, OperationContext } from './operation.ts';
import type { CallerIdentity, EdgeServices } from './services.ts';
import { validateInput } from './validate.ts';

/** AWS caps identity request bodies well below this; 1 MiB keeps a hostile client from buffering more. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Registers each Operation on the router. The pipeline is fixed and short because token retrieval
 * (GetResourceOauth2Token) runs through it: read body → verify SigV4 → plane check → parse JSON →
 * zod → handler → JSON. Every failure is rendered in the restJson1 error shape by sendAwsError.
 */
export function registerOperations<Svc extends EdgeServices>(router: Router, services: Svc, operations: readonly Operation<any, unknown, Svc>[]): Router {
  for (const op of operations) router.add(op.method, op.path, (rc) => runOperation(op, services, rc));
  return router;
}

async function runOperation<Svc extends EdgeServices>(op: Operation<any, unknown, Svc>, services: Svc, rc: RequestContext): Promise<void> {
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
    const ctx: OperationContext<Svc> = { caller, requestId, services, params: rc.params, query: rc.query, req, res };
    const out = await op.handler(input, ctx);
    if (op.streams) return;
    sendResult(rc, op.successStatus, out);
  } catch (err) {
    renderAwsError(rc, err, services);
  }
}

function checkPlane(op: Pick<Operation, 'name' | 'plane'>, caller: CallerIdentity): void {
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
