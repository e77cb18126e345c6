/**
 * Typed errors of Mandate's SDK. Each carries a stable `code`; `cause` keeps the service error (whose
 * `name` is the AWS error type, e.g. AccessDeniedException) for callers that need it.
 */
export type MandateSdkErrorCode =
  | 'access_denied' // the session was refused (binding mismatch, consent declined, provider invalid_grant...)
  | 'validation' // the request was malformed or not allowed (return URL not registered, bad scopes...)
  | 'not_found' // unknown provider or workload
  | 'authorization_timeout' // the user did not finish in time
  | 'no_workload_token' // no workload access token given
  | 'service'; // anything else from the identity service

export class MandateSdkError extends Error {
  readonly code: MandateSdkErrorCode;
  constructor(code: MandateSdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MandateSdkError';
    this.code = code;
  }
}

export class AuthorizationDeniedError extends MandateSdkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('access_denied', message, options);
    this.name = 'AuthorizationDeniedError';
  }
}

export class AuthorizationTimeoutError extends MandateSdkError {
  constructor(message: string) {
    super('authorization_timeout', message);
    this.name = 'AuthorizationTimeoutError';
  }
}

/** Maps an error of the AWS data-plane client to a typed SDK error. */
export function fromServiceError(err: unknown): MandateSdkError {
  if (err instanceof MandateSdkError) return err;
  const name = (err as { name?: string })?.name;
  const message = (err as { message?: string })?.message ?? String(err);
  switch (name) {
    case 'AccessDeniedException':
    case 'UnauthorizedException':
      return new AuthorizationDeniedError(message, { cause: err });
    case 'ValidationException':
      return new MandateSdkError('validation', message, { cause: err });
    case 'ResourceNotFoundException':
      return new MandateSdkError('not_found', message, { cause: err });
    default:
      return new MandateSdkError('service', message, { cause: err });
  }
}
