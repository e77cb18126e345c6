import type { IdentityServices } from '../services.ts';
import { InboundJwtVerifier } from './verifier.ts';

// One verifier (so one discovery/JWKS/result cache) per service instance, shared by every caller:
// the runtime's authorizer and GetWorkloadAccessTokenForJWT usually check the same issuer's tokens.
const verifiers = new WeakMap<object, InboundJwtVerifier>();

export function inboundJwtVerifierFor(services: Pick<IdentityServices, 'fetch' | 'clock' | 'logger' | 'config'>): InboundJwtVerifier {
  let v = verifiers.get(services);
  if (!v) {
    v = new InboundJwtVerifier({ fetch: services.fetch, clock: services.clock, logger: services.logger, devMode: services.config.devMode });
    verifiers.set(services, v);
  }
  return v;
}
