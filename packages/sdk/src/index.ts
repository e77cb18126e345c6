export { MandateIdentityClient, WAIT_HEADER, type AuthFlow, type MandateIdentityClientOptions, type TokenRequest } from './identity-client.ts';
export { requiresAccessToken, requiresApiKey, type RequiresAccessTokenOptions, type RequiresApiKeyOptions } from './wrappers.ts';
export { verifyEntraAccessToken, type VerifyEntraOptions } from './entra.ts';
export { MandateSdkError, AuthorizationDeniedError, AuthorizationTimeoutError, fromServiceError, type MandateSdkErrorCode } from './errors.ts';
