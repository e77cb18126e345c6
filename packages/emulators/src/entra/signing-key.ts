/**
 * The token-signing key: RSA-2048 behind a self-signed X.509 certificate, `kid` = `x5t` = base64url
 * SHA-1 thumbprint (reference §2.4). Persisted in the data directory so tokens stay verifiable across
 * restarts.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRsaCert, thumbprints, type PemPair } from '../tls/certificates.ts';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public JWK as published (without `issuer`, added per document). */
  jwk: { kty: string; use: 'sig'; kid: string; x5t: string; n: string; e: string; x5c: string[] };
}

export async function loadSigningKey(dataDir?: string): Promise<SigningKey> {
  let pair: PemPair | undefined;
  const certFile = dataDir ? join(dataDir, 'entra-signing-cert.pem') : undefined;
  const keyFile = dataDir ? join(dataDir, 'entra-signing-key.pem') : undefined;
  if (certFile && keyFile) {
    try {
      pair = { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
    } catch {
      pair = undefined;
    }
  }
  if (!pair) {
    pair = await createRsaCert('Mandate Entra emulator token signing');
    if (dataDir && certFile && keyFile) {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await writeFile(certFile, pair.certPem, { mode: 0o644 });
      await writeFile(keyFile, pair.keyPem, { mode: 0o600 });
    }
  }
  const cert = new X509Certificate(pair.certPem);
  const { x5t, der } = thumbprints(pair.certPem);
  const pub = cert.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return {
    kid: x5t,
    privateKey: createPrivateKey(pair.keyPem),
    publicKey: cert.publicKey,
    jwk: { kty: 'RSA', use: 'sig', kid: x5t, x5t, n: pub.n, e: pub.e, x5c: [der.toString('base64')] },
  };
}
