import { validationError } from '@mandate/core';
import type { ResolvedEndpoints } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { checkProviderUrl, checkResolvedHost } from '@mandate/edge';

export const DISCOVERY_TIMEOUT_MS = 5_000;
export const DISCOVERY_MAX_BYTES = 256 * 1024;
const OIDC_SUFFIX = '/.well-known/openid-configuration';
const RFC8414_SEGMENT = '/.well-known/oauth-authorization-server';

/**
 * Fetches and validates provider metadata at create/update time, so a bad URL fails the control-plane
 * call (with a precise ValidationException) instead of a user's consent flow later.
 */
export async function fetchDiscovery(services: IdentityServices, discoveryUrl: string, field: string): Promise<ResolvedEndpoints> {
  const { devMode } = services.config;
  const fail = (why: string) => validationError(`Discovery at ${discoveryUrl} failed: ${why}.`, [{ name: field, message: `Discovery failed: ${why}` }]);
  const url = checkProviderUrl(discoveryUrl, field, devMode);
  const expectedIssuer = issuerFor(url);
  if (expectedIssuer === undefined) throw fail(`must end with ${OIDC_SUFFIX} or contain ${RFC8414_SEGMENT}`);
  await checkResolvedHost(url, field, devMode);

  let res: Response;
  try {
    // No redirects: a 30x to an internal host is a classic SSRF pivot (checklist #38).
    res = await services.fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), headers: { accept: 'application/json' } });
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw fail(timeout ? `no answer within ${DISCOVERY_TIMEOUT_MS / 1000} seconds` : 'the server could not be reached');
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw fail(`the server answered with a redirect (HTTP ${res.status}); redirects are not followed`);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw fail(`the server answered HTTP ${res.status}`);
  }
  const text = await readCapped(res, DISCOVERY_MAX_BYTES);
  if (text === undefined) throw fail(`the document is larger than ${DISCOVERY_MAX_BYTES} bytes`);
  let meta: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    meta = v as Record<string, unknown>;
  } catch {
    throw fail('the document is not a JSON object');
  }
  // OIDC Discovery 1.0 §4.3 / RFC 8414 §3.3: the issuer must be identical to the URL the metadata came from.
  if (meta.issuer !== expectedIssuer) {
    throw fail(`the issuer ${JSON.stringify(meta.issuer)} does not match the expected ${JSON.stringify(expectedIssuer)}`);
  }
  const endpoint = (key: string, required: boolean): string | undefined => {
    const v = meta[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string') throw fail(`the document has no ${key}`);
    checkProviderUrl(v, `${field} (${key})`, devMode);
    return v;
  };
  const strings = (key: string): string[] | undefined => {
    const v = meta[key];
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
  };
  const out: ResolvedEndpoints = {
    issuer: expectedIssuer,
    authorizationEndpoint: endpoint('authorization_endpoint', true)!,
    tokenEndpoint: endpoint('token_endpoint', true)!,
    discoveryUrl,
  };
  const revocation = endpoint('revocation_endpoint', false);
  if (revocation) out.revocationEndpoint = revocation;
  const jwks = endpoint('jwks_uri', false);
  if (jwks) out.jwksUri = jwks;
  const rt = strings('response_types_supported');
  if (rt) out.responseTypes = rt;
  const am = strings('token_endpoint_auth_methods_supported');
  if (am) out.tokenEndpointAuthMethods = am;
  if (meta.authorization_response_iss_parameter_supported === true) out.authorizationResponseIssParameterSupported = true;
  return out;
}

/** The issuer a discovery URL implies, or undefined when it is not a well-known URL. */
export function issuerFor(url: URL): string | undefined {
  if (url.search) return undefined;
  if (url.pathname.endsWith(OIDC_SUFFIX)) return url.origin + url.pathname.slice(0, -OIDC_SUFFIX.length);
  if (url.pathname.startsWith(RFC8414_SEGMENT)) return url.origin + url.pathname.slice(RFC8414_SEGMENT.length);
  return undefined;
}

async function readCapped(res: Response, max: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > max) {
      return undefined; // leaving the loop cancels the stream
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
