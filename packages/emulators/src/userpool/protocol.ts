import type { Logger } from '@mandate/core';
import { readBody, sendJson, type RequestContext } from '@mandate/http';
import type { z } from 'zod';
import { CognitoError, cognitoError } from './errors.ts';
import type { UserPoolState } from './state.ts';

/** What every operation handler can reach. */
export interface UserPoolContext {
  state: UserPoolState;
  region: string;
  accountId: string;
  logger: Logger;
  issuer(poolId: string): string;
  /** The emulator's own URL; each pool's hosted sign-in endpoints are under `${url}/${poolId}`. */
  url: string;
}

/**
 * One Cognito operation. `signed` operations are the IAM-authorized ones (Admin*, Create*, Describe*,
 * List*): the emulator requires a SigV4 Authorization header on them but does NOT verify it — it holds
 * no AWS credentials. InitiateAuth, RespondToAuthChallenge and GetUser are unauthenticated in Cognito.
 */
export interface CognitoOperation<S extends z.ZodType = z.ZodType> {
  name: string;
  signed: boolean;
  input: S;
  handle(ctx: UserPoolContext, input: z.infer<S>): Promise<unknown>;
}

export const defineOperation = <S extends z.ZodType>(op: CognitoOperation<S>): CognitoOperation => op as unknown as CognitoOperation;

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const BODY_LIMIT = 256 * 1024;

/**
 * The AWS JSON 1.1 protocol: `POST /`, the operation in `X-Amz-Target`, the input as a JSON object,
 * the output as a JSON object (`application/x-amz-json-1.1`).
 */
export function jsonProtocolHandler(ctx: UserPoolContext, operations: ReadonlyMap<string, CognitoOperation>) {
  return async ({ req, res, requestId }: RequestContext): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(TARGET_PREFIX) ? operations.get(target.slice(TARGET_PREFIX.length)) : undefined;
    if (!op) {
      req.resume();
      throw cognitoError('UnknownOperationException', target ? `Operation ${target.slice(0, 128)} is not supported by the user-pool emulator.` : 'The X-Amz-Target header is missing.');
    }
    if (op.signed) {
      const auth = req.headers.authorization;
      if (auth === undefined) {
        req.resume();
        throw cognitoError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      if (!auth.startsWith('AWS4-HMAC-SHA256 ') || !auth.includes('Credential=') || !auth.includes('Signature=')) {
        req.resume();
        throw cognitoError('IncompleteSignatureException', 'The Authorization header is not an AWS Signature Version 4 header.');
      }
    }
    const body = await readBody(req, BODY_LIMIT);
    let raw: unknown;
    try {
      raw = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw cognitoError('SerializationException', 'The request body is not valid JSON.');
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw cognitoError('SerializationException', 'The request body must be a JSON object.');
    const parsed = op.input.safeParse(raw);
    if (!parsed.success) throw cognitoError('InvalidParameterException', describeIssues(parsed.error.issues, raw));
    let out: unknown;
    try {
      out = await op.handle(ctx, parsed.data);
    } catch (err) {
      // Operation name and outcome only: inputs carry passwords, tokens and secret hashes.
      ctx.logger.debug('cognito operation failed', { operation: op.name, requestId, error: err instanceof CognitoError ? err.type : 'internal' });
      throw err;
    }
    ctx.logger.debug('cognito operation', { operation: op.name, requestId });
    sendJson(res, 200, out ?? {}, { 'content-type': 'application/x-amz-json-1.1' });
  };
}

/** AWS's validation wording: "1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: ...". */
function describeIssues(issues: z.core.$ZodIssue[], input: unknown): string {
  const parts = issues.slice(0, 5).map((i) => {
    const path = i.path.map((p, n) => (n === 0 ? lowerFirst(String(p)) : String(p))).join('.');
    return `Value at '${path}' failed to satisfy constraint: ${constraint(i, valueAt(input, i.path))}`;
  });
  return `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

function constraint(i: z.core.$ZodIssue, value: unknown): string {
  const what = (origin: string) => (origin === 'number' || origin === 'int' ? 'value' : 'length');
  switch (i.code) {
    case 'invalid_type':
      return value === undefined || value === null ? 'Member must not be null' : `Member must be of type ${i.expected}`;
    case 'too_big':
      return `Member must have ${what(i.origin)} less than or equal to ${String(i.maximum)}`;
    case 'too_small':
      return `Member must have ${what(i.origin)} greater than or equal to ${String(i.minimum)}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${i.values.map(String).join(', ')}]`;
    default:
      return i.message;
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
