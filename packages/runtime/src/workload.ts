import type { InboundJwtConfig } from '@mandate/identity';
import type { CustomJwtAuthorizer } from './model.ts';

/**
 * Each runtime owns a workload identity named after its id (identity's port writes it). Its
 * `inboundJwt` mirrors the runtime's authorizer, so GetWorkloadAccessTokenForJWT trusts exactly the
 * issuer (and audiences, clients, scopes, claims) that may invoke the runtime.
 */
export function inboundJwtOf(authorizer: CustomJwtAuthorizer | undefined): { inboundJwt?: InboundJwtConfig[] } {
  return authorizer ? { inboundJwt: [{ ...authorizer }] } : {};
}
