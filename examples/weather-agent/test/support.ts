/**
 * Test support: real RS256 user tokens (Entra v2 access-token claim shape), a JWKS server on
 * loopback, and a token source whose consent the test completes by hand.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenOutcome, TokenRequest, TokenSource } from '../src/token.ts';

export const ISSUER = 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0';
export const API_APP_ID = '08c1e356-0000-4000-8000-26f9339c0d17';
export const SCOPE = `api://${API_APP_ID}/read`;

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

export function newSigningKey(kid = 'test-key-1'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}

export interface UserClaims {
  readonly oid: string;
  readonly preferred_username?: string;
  readonly scp?: string;
  readonly [claim: string]: unknown;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An Entra-v2-shaped access token for the weather API, signed with `key`. */
export function userToken(key: SigningKey, claims: UserClaims, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const body = { iss: ISSUER, aud: API_APP_ID, iat: now, nbf: now, exp: now + 3600, scp: 'read', ver: '2.0', ...claims };
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header })}.${b64(body)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

export async function startJwksServer(keys: SigningKey[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/discovery/v2.0/keys`,
    hits: () => hits,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A TokenSource the test controls: either a token right away, or a consent the test resolves/rejects. */
export class ManualTokenSource implements TokenSource {
  readonly requests: TokenRequest[] = [];
  readonly #mode: { token: string } | { authorizationUrl: string };
  readonly #consent = Promise.withResolvers<string>();

  constructor(mode: { token: string } | { authorizationUrl: string }) {
    this.#mode = mode;
  }

  async obtain(request: TokenRequest): Promise<TokenOutcome> {
    this.requests.push(request);
    if ('token' in this.#mode) return { kind: 'token', accessToken: this.#mode.token };
    return { kind: 'consent', authorizationUrl: this.#mode.authorizationUrl, accessToken: this.#consent.promise };
  }

  consent(token: string): void {
    this.#consent.resolve(token);
  }

  deny(error: Error): void {
    this.#consent.reject(error);
  }
}

/** Whether `promise` settles within `ms` (used to prove the run is waiting, not finished). */
export async function settlesWithin(promise: Promise<unknown>, ms = 100): Promise<boolean> {
  const settled = promise.then(() => true, () => true);
  const timer = new Promise<false>((resolve) => setTimeout(resolve, ms, false));
  return Promise.race([settled, timer]);
}
