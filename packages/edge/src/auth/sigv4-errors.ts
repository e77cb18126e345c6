import { MandateError } from '@mandate/core';

/** The exact messages AWS services answer SigV4 failures with, so SDK users see familiar errors. */
export const missingAuthentication = (): MandateError => new MandateError('missing_authentication', 'Missing Authentication Token');

export const unrecognizedClient = (): MandateError =>
  new MandateError('unrecognized_client', 'The security token included in the request is invalid.');

export const signatureMismatch = (): MandateError =>
  new MandateError(
    'invalid_signature',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

/** A malformed Authorization header (AWS: IncompleteSignatureException, 400). */
export const incompleteSignature = (message: string): MandateError =>
  new MandateError('incomplete_signature', message);

export const invalidScope = (message: string): MandateError => new MandateError('invalid_signature', message);

export const replayedSignature = (): MandateError =>
  new MandateError('invalid_signature', 'The request signature has already been used. Sign every request afresh.');

export const signatureExpired = (message: string): MandateError => new MandateError('request_expired', message);
