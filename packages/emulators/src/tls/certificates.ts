/**
 * Pure-JS X.509 helpers on @peculiar/x509 + node webcrypto (no openssl): a local CA, server
 * certificates signed by it, and self-signed RSA certificates for token signing / client credentials.
 */
import { webcrypto, createHash, X509Certificate } from 'node:crypto';
import 'reflect-metadata'; // @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata API
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type Key = webcrypto.CryptoKey;
type KeyPair = webcrypto.CryptoKeyPair;

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

const DAY = 86_400_000;

function serial(): string {
  // Positive 16-byte serial (RFC 5280 §4.1.2.2: positive, at most 20 octets).
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = b[0]! & 0x7f | 0x01;
  return Buffer.from(b).toString('hex');
}

async function keyPem(key: Key): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

/** A CA certificate (P-256), valid ten years. */
export async function createCa(commonName: string): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as KeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: EC_SIGN,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) };
}

/** A TLS server certificate for the given DNS names / IP addresses, signed by `ca`, valid one year. */
export async function createServerCert(ca: PemPair, hosts: string[]): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importEcKey(ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as KeyPair;
  const names = hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: EC_SIGN,
    publicKey: keys.publicKey as never,
    signingKey: caKey as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) };
}

/** A self-signed RSA-2048 certificate: token-signing keys and app certificate credentials. */
export async function createRsaCert(commonName: string, days = 3650): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as KeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + days * DAY),
    signingAlgorithm: RSA,
    keys: keys as never,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) };
}

async function importEcKey(pem: string): Promise<Key> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return await webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']) as Key;
}

/** base64url SHA-1 / SHA-256 thumbprints of a certificate's DER (`x5t` / `x5t#S256`, RFC 7517 §4.8-4.9). */
export function thumbprints(certPem: string): { x5t: string; x5tS256: string; der: Buffer } {
  const der = new X509Certificate(certPem).raw;
  return {
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    der,
  };
}
