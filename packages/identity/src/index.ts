// What other packages may use of identity. Anything not exported here is identity's own business.
export { createIdentityService, createIdentityRouter, DEFAULT_IDENTITY_CONFIG, type IdentityService, type IdentityServiceOptions } from './server.ts';
export { createIdentityPort, type IdentityPort } from './port.ts';
export type { IdentityConfig, IdentityServices } from './services.ts';
export type { CustomClaimRule, InboundJwtConfig, UserBinding } from './model.ts';
export type { VerifiedInboundJwt } from './inbound-jwt/index.ts';
export type { VerifiedWorkloadToken } from './workload/token.ts';
export type { CredentialProviderRef, ResourceToken, ResourceTokenRequest } from './flows/resource-access.ts';
export { EnvelopeSecretBox, LocalKeyProvider, rotateMasterKey, type KeyProvider } from './vault/index.ts';
