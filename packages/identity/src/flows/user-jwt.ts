import { MandateError } from '@mandate/core';
import { InboundJwtVerifier, type VerifiedInboundJwt } from '../inbound-jwt/index.ts';
import type { InboundJwtConfig } from '../model.ts';
import type { IdentityServices } from '../services.ts';

/**
 * Verifies a user's JWT against the issuers a workload trusts (`WorkloadIdentityDoc.inboundJwt`), for
 * GetWorkloadAccessTokenForJWT, CompleteResourceTokenAuth({userToken}) and the built-in return page.
 * Only (iss, sub) of a verified token matter afterwards: binding on the token string breaks on every
 * re-login (landscape pain #1). The verification itself is inbound-jwt/ (discovery, JWKS cache, Entra
 * {tenantid} templates, fail-closed audience/client checks).
 */

export type VerifiedUser = VerifiedInboundJwt;

// One verifier (and so one JWKS cache) per service instance.
const verifiers = new WeakMap<IdentityServices, InboundJwtVerifier>();

function verifierFor(services: IdentityServices): InboundJwtVerifier {
  let v = verifiers.get(services);
  if (!v) {
    v = new InboundJwtVerifier({ fetch: services.fetch, clock: services.clock, logger: services.logger, devMode: services.config.devMode });
    verifiers.set(services, v);
  }
  return v;
}

export async function verifyUserToken(services: IdentityServices, token: string, configs: InboundJwtConfig[] | undefined): Promise<VerifiedUser> {
  if (!configs || configs.length === 0) {
    throw new MandateError('access_denied', 'This workload identity trusts no user-token issuer (inboundJwt is not configured).');
  }
  const verifier = verifierFor(services);
  for (const cfg of configs) {
    try {
      return await verifier.verify(token, cfg);
    } catch {
      // try the next trusted issuer
    }
  }
  throw new MandateError('access_denied', 'The user token is not valid for this workload.');
}
