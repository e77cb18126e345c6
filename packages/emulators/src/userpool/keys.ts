import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';

/** A fresh RS256 signing key as a private JWK; `kid` is the RFC 7638 thumbprint-style hash of the public part. */
export async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  // RFC 7638 §3: the thumbprint covers the required members in lexicographic order.
  const kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64');
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

/** The public half as published in `jwks.json` (Cognito publishes `alg`, `e`, `kid`, `kty`, `n`, `use`). */
export function publicJwk(jwk: JWK): JWK {
  return { alg: 'RS256', e: jwk.e!, kid: jwk.kid!, kty: 'RSA', n: jwk.n!, use: 'sig' };
}

type Key = CryptoKey | KeyObject | Uint8Array;

/** Imported keys are cached per kid: importing is the expensive part of signing and verifying. */
export class KeyCache {
  #private = new Map<string, Promise<Key>>();
  #public = new Map<string, Promise<Key>>();

  signing(jwk: JWK): Promise<Key> {
    let k = this.#private.get(jwk.kid!);
    if (!k) this.#private.set(jwk.kid!, (k = importJWK(jwk, 'RS256')));
    return k;
  }

  verifying(jwk: JWK): Promise<Key> {
    let k = this.#public.get(jwk.kid!);
    if (!k) this.#public.set(jwk.kid!, (k = importJWK(publicJwk(jwk), 'RS256')));
    return k;
  }
}
