export type { AuthenticateOptions, CallerIdentity, EdgeServices, RequestAuthenticator, ServiceConfig } from './services.ts';
export { operationKit, type Operation, type OperationContext } from './operation.ts';
export { registerOperations, BODY_LIMIT } from './pipeline.ts';
export { renderAwsError, toMandateError } from './errors.ts';
export { validateInput, zodToValidation } from './validate.ts';
export { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken, listPage, pageByPrefix } from './pagination.ts';
export { cachedDoc, docChanged, DOC_CACHE_TTL_MS, DOC_CHANGED_CHANNEL, type DocCacheServices } from './doc-cache.ts';
export * from './auth/index.ts';
export { defineRoute, defineUpgradeRoute, registerRoutes, type ErrorRenderer, type Route, type RouteInput, type UpgradeRoute } from './route.ts';
export { customJwtAuthorizerSchema, type CustomJwtAuthorizerInput } from './authorizer.ts';
export * from './url-policy.ts';
export {
  advertisedScopes, isResourceFor, issuerOfDiscoveryUrl, RESOURCE_TAG, protectedResourceDocument, resourceChallenge, resourceMetadataUrl, withResourceChallenge,
  type AdvertisedAuthorizer, type ResourceChallenge,
} from './protected-resource.ts';
export { idempotent, CLIENT_TOKENS_COLLECTION } from './idempotency.ts';
