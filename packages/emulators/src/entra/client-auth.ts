/**
 * Client authentication at the token endpoint: `client_secret_post`, `client_secret_basic` (both
 * accepted for every client, as Entra does) and `private_key_jwt` with a registered certificate
 * (RFC 7523 §3; MSAL sends PS256 with `x5t#S256`). Public clients present no credential.
 */
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { EntraContext } from './context.ts';
import type { App, Tenant } from './directory.ts';
import { EntraError } from './errors.ts';
import { param } from './http-util.ts';
import type { ClientAuthLevel } from './tokens.ts';
import { tokenEndpoint } from './urls.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface AuthenticatedClient {
  app: App;
  auth: ClientAuthLevel;
}

/** Moves HTTP Basic credentials into the parameters (form-decoded per RFC 6749 §2.3.1). */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const h = req.headers.authorization;
  if (!h || !/^basic /i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw new EntraError(9002313, ['The Authorization header is malformed.']);
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new EntraError(9002313, ['The Authorization header is malformed.']);
    }
  };
  return { id: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)) };
}

export async function authenticateClient(
  ctx: EntraContext, tenant: Tenant, tenantSegment: string, p: URLSearchParams, req: IncomingMessage,
  options: { allowPublic: boolean },
): Promise<AuthenticatedClient> {
  const basic = basicCredentials(req);
  const bodyId = param(p, 'client_id');
  if (basic && bodyId && basic.id !== bodyId) throw new EntraError(9002313, ['client_id in the body and the Authorization header differ.']);
  const clientId = basic?.id ?? bodyId;
  if (!clientId) throw new EntraError(900144, ['client_id']);
  const app = ctx.directory.findApp(tenant.id, clientId);
  if (!app) throw new EntraError(700016, [clientId, tenant.id]);

  const secret = basic?.secret ?? param(p, 'client_secret');
  const assertion = param(p, 'client_assertion');
  if (secret !== undefined && assertion !== undefined) throw new EntraError(9002313, ['Send either client_secret or client_assertion, not both.']);
  const hasCredentials = app.clientSecrets.length > 0 || app.certificates.length > 0;

  if (secret !== undefined) {
    if (!hasCredentials) throw new EntraError(700025);
    const given = createHash('sha256').update(secret).digest();
    const match = app.clientSecrets.find((s) => timingSafeEqual(createHash('sha256').update(s.value).digest(), given));
    if (!match) throw new EntraError(7000215, [app.appId]);
    if (match.expiresAt !== undefined && match.expiresAt <= ctx.clock.now()) throw new EntraError(7000222, [app.appId]);
    return { app, auth: '1' };
  }
  if (assertion !== undefined) {
    if (param(p, 'client_assertion_type') !== ASSERTION_TYPE) throw new EntraError(9002313, [`client_assertion_type must be '${ASSERTION_TYPE}'.`]);
    await verifyAssertion(ctx, tenant, tenantSegment, app, assertion);
    return { app, auth: '2' };
  }
  if (options.allowPublic && app.publicClient) return { app, auth: '0' };
  throw new EntraError(7000218);
}

async function verifyAssertion(ctx: EntraContext, tenant: Tenant, tenantSegment: string, app: App, assertion: string): Promise<void> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(assertion) as Record<string, unknown>;
  } catch {
    throw new EntraError(700027, ['The client assertion is not a valid JWT.']);
  }
  const cert = app.certificates.find((c) =>
    c.x5tS256 === header['x5t#S256'] || c.x5t === header.x5t || c.x5t === header.kid);
  if (!cert) throw new EntraError(700027, [`Key was not found: no certificate registered for app '${app.appId}' matches the assertion's thumbprint.`]);
  const audiences = [...new Set([tokenEndpoint(ctx.urls, tenant.id), tokenEndpoint(ctx.urls, tenantSegment)])];
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, cert.publicKey, {
      algorithms: ['PS256', 'RS256'], audience: audiences, issuer: app.appId, subject: app.appId,
      currentDate: new Date(ctx.clock.now()), clockTolerance: 300, requiredClaims: ['exp', 'jti'],
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw new EntraError(700024, ['The assertion has expired.']);
    if (e instanceof joseErrors.JWTClaimValidationFailed) {
      if (e.claim === 'aud') throw new EntraError(700023, [`Expected one of ${audiences.join(', ')}.`]);
      if (e.claim === 'nbf' || e.claim === 'iat') throw new EntraError(700024, ['The assertion is not yet valid.']);
      throw new EntraError(700027, [`Claim '${e.claim}' is invalid.`]);
    }
    throw new EntraError(700027, ['The signature could not be verified.']);
  }
  const jti = String(payload.jti);
  if (ctx.store.assertionIds.get(`${app.appId}|${jti}`)) throw new EntraError(7000274);
  ctx.store.assertionIds.set(`${app.appId}|${jti}`, true, Math.max(60_000, (Number(payload.exp) + 300) * 1000 - ctx.clock.now()));
}
