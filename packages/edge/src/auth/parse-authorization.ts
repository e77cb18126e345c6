import { incompleteSignature } from './sigv4-errors.ts';

/** The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** yyyymmdd from the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  /** Lower-case header names, in the order given (SigV4 requires them sorted). */
  signedHeaders: string[];
  /** 64 lower-case hex characters. */
  signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SCOPE_DATE = /^\d{8}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Parses the header strictly: exactly the three parameters, the credential scope in its five parts,
 * lower-case sorted signed headers and a hex signature. Anything else is an IncompleteSignatureException.
 */
export function parseSigV4Authorization(header: string): SigV4Authorization {
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw incompleteSignature(`Authorization header requires the ${ALGORITHM} algorithm.`);
  }
  // Runs on every request: three named slots instead of a Map, one pass over the parameters.
  let credential: string | undefined;
  let signedHeaderList: string | undefined;
  let signature: string | undefined;
  let count = 0;
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq <= 0) throw incompleteSignature(`Authorization header parameter is malformed: '${p.slice(0, 40)}'.`);
    const name = p.slice(0, eq);
    const value = p.slice(eq + 1);
    count++;
    if (name === 'Credential' && credential === undefined) credential = value;
    else if (name === 'SignedHeaders' && signedHeaderList === undefined) signedHeaderList = value;
    else if (name === 'Signature' && signature === undefined) signature = value;
    else if (name === 'Credential' || name === 'SignedHeaders' || name === 'Signature') throw incompleteSignature(`Authorization header parameter '${name}' appears twice.`);
  }
  if (credential === undefined || signedHeaderList === undefined || signature === undefined) {
    const missing = [credential === undefined && 'Credential', signedHeaderList === undefined && 'SignedHeaders', signature === undefined && 'Signature'].filter((n) => n !== false);
    throw incompleteSignature(missing.map((n) => `Authorization header requires '${n}' parameter.`).join(' '));
  }
  if (count !== 3) throw incompleteSignature('Authorization header has unexpected parameters.');

  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !SCOPE_DATE.test(scope[1]!) || scope.some((s) => s === '')) {
    throw incompleteSignature("Credential must have the form 'KeyId/yyyymmdd/region/service/aws4_request'.");
  }
  const signedHeaders = signedHeaderList.split(';');
  for (let i = 0; i < signedHeaders.length; i++) {
    const h = signedHeaders[i]!;
    if (!HEADER_NAME.test(h) || (i > 0 && signedHeaders[i - 1]! >= h)) {
      throw incompleteSignature('SignedHeaders must be lower-case header names, sorted and separated by semicolons.');
    }
  }
  if (!SIGNATURE.test(signature)) throw incompleteSignature('Signature must be 64 lower-case hexadecimal characters.');
  return { accessKeyId: scope[0]!, scopeDate: scope[1]!, region: scope[2]!, service: scope[3]!, signedHeaders, signature };
}

/** A presigned request's auth parameters (SigV4 "authenticating requests by query parameters"). */
export interface SigV4Presigned extends SigV4Authorization {
  /** X-Amz-Date, yyyymmddThhmmssZ. */
  date: string;
  /** X-Amz-Expires, seconds. */
  expiresSeconds: number;
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'] as const;

/** True when the query string carries SigV4 query authentication (cheap: no parsing on the header path). */
export function isPresigned(rawQuery: string): boolean {
  return rawQuery.includes('X-Amz-Signature=');
}

/**
 * Reads the six X-Amz-* query parameters with the same strictness as the header: each exactly once,
 * rebuilt into the header form and parsed by the same code, so both ways of signing accept the same
 * credentials, scopes and header lists.
 */
export function parseSigV4Query(query: Record<string, string | string[]>): SigV4Presigned {
  const v: Partial<Record<(typeof PRESIGN_PARAMS)[number], string>> = {};
  for (const name of PRESIGN_PARAMS) {
    const x = query[name];
    if (x === undefined) throw incompleteSignature(`A presigned URL requires the '${name}' query parameter.`);
    if (Array.isArray(x)) throw incompleteSignature(`Query parameter '${name}' appears twice.`);
    v[name] = x;
  }
  if (v['X-Amz-Algorithm'] !== ALGORITHM) throw incompleteSignature(`X-Amz-Algorithm must be ${ALGORITHM}.`);
  if (!/^[0-9]{1,6}$/.test(v['X-Amz-Expires']!)) throw incompleteSignature('X-Amz-Expires must be a number of seconds.');
  const auth = parseSigV4Authorization(`${ALGORITHM} Credential=${v['X-Amz-Credential']}, SignedHeaders=${v['X-Amz-SignedHeaders']}, Signature=${v['X-Amz-Signature']}`);
  return { ...auth, date: v['X-Amz-Date']!, expiresSeconds: Number(v['X-Amz-Expires']) };
}
