/**
 * One error type for the whole of Mandate. Every failure that a caller can see carries a stable
 * snake_case `code`; the wire shape for each protocol (AWS restJson1, OAuth, Entra) is chosen in
 * one place per protocol from that code. Messages are plain language and never contain a secret.
 * `description` is the one-line meaning of the code for docs/errors.md (`npm run errors:table`).
 */
export const errorCodes = {
  validation: { awsType: 'ValidationException', status: 400, description: 'A request field is missing, malformed or out of range (reason and fieldList say which).' },
  not_found: { awsType: 'ResourceNotFoundException', status: 404, description: 'The named resource does not exist (or is not visible to the caller).' },
  conflict: { awsType: 'ConflictException', status: 409, description: 'The resource already exists, or another request changed it at the same time.' },
  access_denied: { awsType: 'AccessDeniedException', status: 403, description: 'The caller is authenticated but not allowed to do this.' },
  // Consent-session failures: distinct codes (operators and users need to tell them apart), AWS's one type.
  session_invalid: { awsType: 'AccessDeniedException', status: 403, description: 'A consent session is unknown, expired or already used.' },
  binding_mismatch: { awsType: 'AccessDeniedException', status: 403, description: 'A consent session was completed by a different user than the one it was started for.' },
  unauthorized: { awsType: 'UnauthorizedException', status: 401, description: 'A bearer token (JWT or workload access token) is missing, invalid or expired.' },
  insufficient_scope: { awsType: 'AccessDeniedException', status: 403, description: 'A valid bearer token lacks every scope the resource accepts (RFC 6750 §3.1); WWW-Authenticate names the scopes.' },
  throttled: { awsType: 'ThrottlingException', status: 429, description: 'Too many requests (polls, live sessions); wait and retry.' },
  quota_exceeded: { awsType: 'ServiceQuotaExceededException', status: 402, description: 'A service quota (e.g. number of resources) is used up.' },
  resource_limit: { awsType: 'ResourceLimitExceededException', status: 400, description: 'A per-resource limit (e.g. sessions of an agent runtime) is reached.' },
  concurrent_modification: { awsType: 'ConcurrentModificationException', status: 409, description: 'The resource is being modified by another request; retry.' },
  decryption_failure: { awsType: 'DecryptionFailure', status: 400, description: 'A stored secret could not be decrypted (wrong or retired master key, tampered data).' },
  encryption_failure: { awsType: 'EncryptionFailure', status: 400, description: 'A secret could not be encrypted for storage.' },
  runtime_client_error: { awsType: 'RuntimeClientError', status: 424, description: 'The agent process failed: it exited, did not start, or did not answer.' },
  // SigV4 failures use the names every AWS service answers with.
  missing_authentication: { awsType: 'MissingAuthenticationTokenException', status: 403, description: 'The request carries no SigV4 signature (or bearer token) at all.' },
  unrecognized_client: { awsType: 'UnrecognizedClientException', status: 403, description: 'The access key id of the signature is unknown or disabled.' },
  invalid_signature: { awsType: 'InvalidSignatureException', status: 403, description: 'The SigV4 signature does not match the request.' },
  incomplete_signature: { awsType: 'IncompleteSignatureException', status: 400, description: 'The Authorization header or signed query is malformed or lacks a part.' },
  request_expired: { awsType: 'InvalidSignatureException', status: 403, description: 'The signed request is too old or dated in the future (clock skew).' },
  payload_too_large: { awsType: 'ValidationException', status: 413, description: 'The request body is larger than the limit.' },
  unsupported_operation: { awsType: 'UnknownOperationException', status: 404, description: 'No operation is served at this path and method.' },
  method_not_allowed: { awsType: 'MethodNotAllowedException', status: 405, description: 'The path exists but not with this HTTP method.' },
  internal: { awsType: 'InternalServerException', status: 500, description: 'An unexpected failure; the server log has the details under the request id.' },
  unavailable: { awsType: 'InternalServerException', status: 503, description: 'A dependency (the store, a lock) is busy or down; retry after Retry-After.' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** `reason` values of the AWS ValidationException. */
export type ValidationReason =
  | 'CannotParse'
  | 'FieldValidationFailed'
  | 'IdempotentParameterMismatchException'
  | 'ResourceConflict'
  | 'EventInOtherSession';

export interface FieldError {
  name: string;
  message: string;
}

export interface MandateErrorOptions {
  cause?: unknown;
  reason?: ValidationReason;
  fieldList?: FieldError[];
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
}

export class MandateError extends Error {
  readonly code: ErrorCode;
  readonly reason: ValidationReason | undefined;
  readonly fieldList: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  /** From the code, always (errorCodes): a call site never picks a type or status of its own. */
  readonly awsType: string;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: MandateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MandateError';
    this.code = code;
    this.reason = options.reason;
    this.fieldList = options.fieldList;
    this.headers = options.headers;
    this.awsType = errorCodes[code].awsType;
    this.status = errorCodes[code].status;
  }
}

export function isMandateError(err: unknown): err is MandateError {
  return err instanceof MandateError;
}

/** Shorthand for the most common failure: a field that does not satisfy its rule. */
export function validationError(message: string, fieldList?: FieldError[], reason: ValidationReason = 'FieldValidationFailed'): MandateError {
  return new MandateError('validation', message, fieldList === undefined ? { reason } : { reason, fieldList });
}
