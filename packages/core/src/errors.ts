/**
 * One error type for the whole of Mandate. Every failure that a caller can see carries a stable
 * snake_case `code`; the wire shape for each protocol (AWS restJson1, OAuth, Entra) is chosen in
 * one place per protocol from that code. Messages are plain language and never contain a secret.
 */
export const errorCodes = {
  validation: { awsType: 'ValidationException', status: 400 },
  not_found: { awsType: 'ResourceNotFoundException', status: 404 },
  conflict: { awsType: 'ConflictException', status: 409 },
  access_denied: { awsType: 'AccessDeniedException', status: 403 },
  // Consent-session failures: distinct codes (operators and users need to tell them apart), AWS's one type.
  session_invalid: { awsType: 'AccessDeniedException', status: 403 },
  binding_mismatch: { awsType: 'AccessDeniedException', status: 403 },
  unauthorized: { awsType: 'UnauthorizedException', status: 401 },
  throttled: { awsType: 'ThrottlingException', status: 429 },
  quota_exceeded: { awsType: 'ServiceQuotaExceededException', status: 402 },
  resource_limit: { awsType: 'ResourceLimitExceededException', status: 400 },
  concurrent_modification: { awsType: 'ConcurrentModificationException', status: 409 },
  decryption_failure: { awsType: 'DecryptionFailure', status: 400 },
  encryption_failure: { awsType: 'EncryptionFailure', status: 400 },
  runtime_client_error: { awsType: 'RuntimeClientError', status: 424 },
  // SigV4 failures use the names every AWS service answers with.
  missing_authentication: { awsType: 'MissingAuthenticationTokenException', status: 403 },
  unrecognized_client: { awsType: 'UnrecognizedClientException', status: 403 },
  invalid_signature: { awsType: 'InvalidSignatureException', status: 403 },
  incomplete_signature: { awsType: 'IncompleteSignatureException', status: 400 },
  request_expired: { awsType: 'InvalidSignatureException', status: 403 },
  payload_too_large: { awsType: 'ValidationException', status: 413 },
  unsupported_operation: { awsType: 'UnknownOperationException', status: 404 },
  method_not_allowed: { awsType: 'MethodNotAllowedException', status: 405 },
  internal: { awsType: 'InternalServerException', status: 500 },
  unavailable: { awsType: 'InternalServerException', status: 503 },
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
