import { createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';

/**
 * Recomputes a SigV4 request signature. Canonicalisation (path double-encoding and normalisation,
 * query sorting and escaping, header folding) is @smithy/signature-v4's own code, the code the AWS
 * SDKs sign with, so client and server can never disagree about bytes. The hashing around it is done
 * synchronously with node:crypto, and the derived signing key (four HMACs, AWS SigV4 "derive signing
 * key") is cached per access key and day: the full async `SignatureV4.sign` costs about ten times more
 * per request. test/sigv4-signature.test.ts holds the two to identical output.
 */
interface Canonicaliser {
  createCanonicalRequest(request: object, canonicalHeaders: Record<string, string>, payloadHash: string): string;
  getCanonicalPath(request: { path: string }): string;
}

// createCanonicalRequest is `protected` in the typings; it is the same method `sign` calls.
const canonicaliser = new SignatureV4({
  credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  region: 'unused',
  service: 'unused',
  sha256: Hash.bind(null, 'sha256'),
}) as unknown as Canonicaliser;

// A service sees few distinct paths, and normalising and double-encoding one is a fifth of the
// canonical request: remember the signer's answer per raw path (bounded, so odd paths cannot grow it).
const canonicalPathOf = canonicaliser.getCanonicalPath.bind(canonicaliser);
const canonicalPaths = new Map<string, string>();
const MAX_CANONICAL_PATHS = 1024;
canonicaliser.getCanonicalPath = (request) => {
  let p = canonicalPaths.get(request.path);
  if (p === undefined) {
    p = canonicalPathOf(request);
    if (canonicalPaths.size >= MAX_CANONICAL_PATHS) canonicalPaths.clear();
    canonicalPaths.set(request.path, p);
  }
  return p;
};

export interface SignableRequest {
  method: string;
  /** Raw, still percent-encoded path. */
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-case names; exactly the headers listed in SignedHeaders that the request carries. */
  headers: Record<string, string>;
}

/** AWS SigV4 "derive signing key"; returned as a KeyObject, which HMACs several times faster than a Buffer key. */
export function deriveSigningKey(secretAccessKey: string, shortDate: string, region: string, service: string): KeyObject {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(shortDate).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createSecretKey(createHmac('sha256', kService).update('aws4_request').digest());
}

export function sigV4Signature(signingKey: KeyObject, request: SignableRequest, payloadHash: string, longDate: string, scope: string): string {
  const httpRequest = { method: request.method, protocol: 'http:', hostname: '', path: request.path, headers: request.headers, query: request.query };
  const canonicalHeaders = getCanonicalHeaders(httpRequest, undefined, new Set(Object.keys(request.headers)));
  const canonicalRequest = canonicaliser.createCanonicalRequest(httpRequest, canonicalHeaders, payloadHash);
  const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}
