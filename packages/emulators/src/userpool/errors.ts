import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMandateError, type Logger } from '@mandate/core';

/**
 * The Cognito exceptions this emulator raises, with the HTTP status each carries in the service model
 * (`@aws-sdk/client-cognito-identity-provider` schemas, `httpError` trait). The SDK picks the exception
 * class from `__type`, so the names must be exact.
 */
export const cognitoErrorStatus = {
  InvalidParameterException: 400,
  InvalidPasswordException: 400,
  InvalidOAuthFlowException: 400,
  ScopeDoesNotExistException: 400,
  UsernameExistsException: 400,
  NotAuthorizedException: 403,
  UserNotFoundException: 404,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429,
  InternalErrorException: 500,
  // Protocol-level answers every AWS JSON service gives.
  MissingAuthenticationTokenException: 400,
  IncompleteSignatureException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
} as const;

export type CognitoErrorType = keyof typeof cognitoErrorStatus;

/** An error of the Cognito wire protocol: its own type names and statuses (the table above), not Mandate's. */
export class CognitoError extends Error {
  readonly type: CognitoErrorType;
  constructor(type: CognitoErrorType, message: string) {
    super(message);
    this.name = 'CognitoError';
    this.type = type;
  }
}

export function cognitoError(type: CognitoErrorType, message: string): CognitoError {
  return new CognitoError(type, message);
}


/**
 * Renders an error in the AWS JSON 1.1 shape: `{"__type": "<Name>", "message": "..."}`, with the same
 * name in `x-amzn-errortype`. Anything that is not a MandateError becomes InternalErrorException; its
 * detail goes to the log only, never to the caller.
 */
export function renderCognitoError(res: ServerResponse, err: unknown, requestId: string, logger: Logger, _req?: IncomingMessage): void {
  let type: string;
  let status: number;
  let message: string;
  if (err instanceof CognitoError) {
    type = err.type;
    status = cognitoErrorStatus[err.type];
    message = err.message;
  } else if (isMandateError(err)) {
    // Errors raised by the shared HTTP kit (body limits, routing) keep their status; validation gets Cognito's name.
    type = err.awsType === 'ValidationException' ? 'InvalidParameterException' : err.awsType;
    status = err.status;
    message = err.message;
  } else {
    logger.error('unhandled error', { requestId, error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    type = 'InternalErrorException';
    status = 500;
    message = `The user-pool emulator hit an internal error; see its log for request ${requestId}.`;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': type,
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}
