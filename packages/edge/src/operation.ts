import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { CallerIdentity, EdgeServices } from './services.ts';

export interface OperationContext<Svc = EdgeServices> {
  caller: CallerIdentity;
  requestId: string;
  services: Svc;
  /** Path labels (decoded), e.g. `resourceArn` for the tag operations. */
  params: Record<string, string>;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * One AWS operation = one file exporting an Operation, plus one line in its plane's index. The pipeline
 * (pipeline.ts) reads the body, verifies SigV4, checks that the caller may use the plane, validates the
 * input with `input` (errors become ValidationException with a fieldList), calls `handler`, and writes
 * the result as JSON with `successStatus`. `Svc` is the services of the plane the operation belongs to.
 */
export interface Operation<S extends z.ZodType = z.ZodType, O = unknown, Svc = EdgeServices> {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Router pattern on the raw path, e.g. `/identities/CreateWorkloadIdentity` or `/tags/:resourceArn`. */
  path: string;
  plane: 'control' | 'data';
  successStatus: number;
  input: S;
  /** Builds the object validated by `input` from the parsed JSON body, path labels and query (default: the body). */
  inputFrom?: (body: Record<string, unknown>, params: Record<string, string>, query: URLSearchParams) => unknown;
  /** When true, the handler writes the response itself (e.g. long-poll or redirects); its return value is ignored. */
  streams?: boolean;
  handler(input: z.infer<S>, ctx: OperationContext<Svc>): Promise<O>;
}

/**
 * Returns the `defineOperation` of a plane: it only helps TypeScript infer each handler's input type
 * from its schema and its services type from the plane (`const defineOperation = operationKit<MyServices>()`).
 */
export function operationKit<Svc>(): <S extends z.ZodType, O>(op: Operation<S, O, Svc>) => Operation<S, O, Svc> {
  return (op) => op;
}
