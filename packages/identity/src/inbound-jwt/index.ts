export { InboundJwtVerifier, ALLOWED_ALGORITHMS, MAX_TOKEN_LENGTH, type InboundJwtVerifierOptions, type VerifiedInboundJwt } from './verifier.ts';
export type { CustomClaimRule, InboundJwtConfigInput } from './claims.ts';
export { clientIdOf, scopesOf } from './claims.ts';
export { checkDiscoveryUrl, issuerMatchesDiscovery } from './key-cache.ts';
export { checkOutboundUrl, isLoopbackHost, OutboundUrlError } from './fetch-json.ts';
export { inboundJwtVerifierFor } from './shared.ts';
