// Shared fixtures for the inbound-jwt tests: a local OIDC issuer (discovery + JWKS) with locally generated keys.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { listen, type Listening } from '@mandate/http';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  jwk: JWK;
}

export async function makeKey(kid: string, alg = 'RS256', extra: Record<string, unknown> = {}): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', ...extra } as JWK;
  return { kid, alg, privateKey, jwk };
}

export interface LocalIssuer {
  url: string;
  /** The path prefix of the issuer, e.g. `/tenant-a`. */
  issuer: string;
  discoveryUrl: string;
  keys: JWK[];
  /** Overrides for the discovery document. */
  discovery: Record<string, unknown>;
  hits: { discovery: number; jwks: number; other: string[] };
  /** When set, the server answers every request with this status. */
  failWith?: number;
  /** Custom handler for the JWKS path. */
  onJwks?: (req: IncomingMessage, res: ServerResponse) => boolean;
  close(): Promise<void>;
}

export async function startIssuer(path = '/tenant-a', keys: JWK[] = []): Promise<LocalIssuer> {
  const state = { keys, discovery: {} as Record<string, unknown>, hits: { discovery: 0, jwks: 0, other: [] as string[] } } as Partial<LocalIssuer>;
  let listening: Listening | undefined;
  const server = createServer((req, res) => {
    const s = state as LocalIssuer;
    if (s.failWith) {
      res.writeHead(s.failWith).end('{}');
      return;
    }
    if (req.url === `${path}/.well-known/openid-configuration`) {
      s.hits.discovery++;
      const doc = { issuer: s.issuer, jwks_uri: `${s.url}${path}/jwks`, ...s.discovery };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      return;
    }
    if (req.url === `${path}/jwks`) {
      s.hits.jwks++;
      if (s.onJwks?.(req, res)) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: s.keys }));
      return;
    }
    s.hits.other.push(req.url ?? '');
    res.writeHead(404).end();
  });
  listening = await listen(server);
  Object.assign(state, {
    url: listening.url,
    issuer: `${listening.url}${path}`,
    discoveryUrl: `${listening.url}${path}/.well-known/openid-configuration`,
    close: () => listening!.close(),
  });
  return state as LocalIssuer;
}

export async function sign(key: SigningKey, claims: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header } as JWTHeaderParameters).sign(key.privateKey);
}

export const NOW_MS = Date.UTC(2026, 10, 29, 12, 0, 0);
export const NOW = Math.floor(NOW_MS / 1000);

/** Signs an arbitrary RS256 header (jose refuses to produce some hostile shapes, e.g. unknown `crit`). */
export async function signRawRs256(key: SigningKey, header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}
