// The adversary's JWT workshop: local OIDC issuers whose private keys the test holds (so a token can be
// signed correctly and still be wrong), an Entra-shaped pair (tenant metadata and `/common` with the
// `{tenantid}` issuer template), and the hostile shapes jose refuses to produce (security checklist
// A.4 items 29-34; the jwt_tool playbook done in process).
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { exportSPKI } from 'jose';
import { listen, type Listening } from '@mandate/http';
import { makeKey, signRawRs256, startIssuer, type LocalIssuer, type SigningKey } from '@mandate/identity/test-jwt-fixtures';

export { makeKey, startIssuer, type LocalIssuer, type SigningKey };

export const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Signs any header and claims with an RSA key, byte for byte as given (hostile headers included). */
export function signRaw(key: SigningKey, header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  return signRawRs256(key, header, claims);
}

/** Signs a pre-encoded header segment (for duplicate members, which JSON.stringify cannot express). */
export async function signRawSegments(key: SigningKey, headerJson: string, claims: Record<string, unknown>): Promise<string> {
  const input = `${b64(headerJson)}.${b64(claims)}`;
  const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}

/** `alg: none` with an empty signature (CVE-2015-2951 shape). */
export function unsecured(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  return `${b64({ alg: 'none', ...header })}.${b64(claims)}.`;
}

/** HS256 keyed with the issuer's public key (RS/HS confusion, CVE-2016-10555): the PEM and the bare modulus. */
export async function hsWithPublicKey(key: SigningKey, claims: Record<string, unknown>, form: 'pem' | 'n'): Promise<string> {
  const { importJWK } = await import('jose');
  const secret = form === 'pem' ? await exportSPKI((await importJWK(key.jwk, 'RS256', { extractable: true })) as Parameters<typeof exportSPKI>[0]) : String(key.jwk.n);
  const input = `${b64({ alg: 'HS256', kid: key.kid, typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** HS256 with an empty secret (CVE-2019-20933 / CVE-2020-28637 shape). */
export function hsBlank(kid: string, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', kid })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', '').update(input).digest('base64url')}`;
}

/** A listener that must never be called: `jku`/`x5u` targets. Counts every request it gets. */
export interface Tripwire {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

export async function startTripwire(body: unknown): Promise<Tripwire> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const l: Listening = await listen(server);
  return { url: l.url, hits, close: () => l.close() };
}

/**
 * Entra-shaped issuers on loopback: one tenant's v2.0 metadata (issuer `${url}/${tenant}/v2.0`) and the
 * tenant-independent `/common/v2.0` metadata (issuer `${url}/{tenantid}/v2.0`), both publishing the same
 * signing key with Entra's per-key `issuer` member, as login.microsoftonline.com does.
 */
export interface EntraLike {
  tenantA: string;
  tenantB: string;
  key: SigningKey;
  tenant: LocalIssuer;
  common: LocalIssuer;
  /** The issuer of `tid` at the tenant or the common server. */
  issuerOf(server: LocalIssuer, tid: string): string;
  close(): Promise<void>;
}

export async function startEntraLike(): Promise<EntraLike> {
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const key = await makeKey(`entra-${randomUUID().slice(0, 8)}`);
  const tenant = await startIssuer(`/${tenantA}/v2.0`);
  const common = await startIssuer('/common/v2.0');
  tenant.keys.push({ ...key.jwk, issuer: `${tenant.url}/{tenantid}/v2.0` } as typeof key.jwk);
  common.keys.push({ ...key.jwk, issuer: `${common.url}/{tenantid}/v2.0` } as typeof key.jwk);
  common.discovery.issuer = `${common.url}/{tenantid}/v2.0`;
  return {
    tenantA, tenantB, key, tenant, common,
    issuerOf: (server, tid) => `${server.url}/${tid}/v2.0`,
    close: async () => {
      await tenant.close();
      await common.close();
    },
  };
}
