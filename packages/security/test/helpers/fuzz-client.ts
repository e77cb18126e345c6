// The fuzzer's client: requests sent byte for byte as generated (node:http, no URL normalisation), optionally
// SigV4-signed with @smithy/signature-v4 exactly as the AWS SDKs sign (fresh amz-sdk-invocation-id, so
// Mandate's replay cache never refuses a request for being a replay), with a hard per-request timeout.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface FuzzRequest {
  method: string;
  /** Raw path, percent-encoded as it goes on the wire. */
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body: Buffer;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** RFC 3986 unreserved-only encoding, as the AWS SDKs encode query members. */
export const awsEncode = (s: string): string => encodeURIComponent(s.toWellFormed()).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function rawQuery(q: Array<[string, string]>): string {
  return q.map(([k, v]) => `${awsEncode(k)}=${awsEncode(v)}`).join('&');
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Adds SigV4 headers for `req` sent to `host` (host:port). */
export async function signRequest(req: FuzzRequest, host: string, creds: Credentials, region: string): Promise<void> {
  const signer = new SignatureV4({ credentials: creds, region, service: 'bedrock-agentcore', sha256: Hash.bind(null, 'sha256') });
  const query: Record<string, string | string[]> = {};
  for (const [rk, rv] of req.query) {
    // The wire carries UTF-8, so lone surrogates go out as U+FFFD (see rawQuery); sign what is sent.
    const k = rk.toWellFormed();
    const v = rv.toWellFormed();
    const cur = query[k];
    query[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  const headers: Record<string, string> = { ...req.headers, host, 'amz-sdk-invocation-id': randomUUID() };
  if (req.body.length > 0) headers['content-length'] = String(req.body.length);
  const signed = await signer.sign({ method: req.method, protocol: 'http:', hostname: host.split(':')[0]!, path: req.path, query, headers, body: req.body });
  req.headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/**
 * Sends the request; resolves with the response, or with `status: -1` when the client itself refused to
 * send it (a header or path Node will not put on the wire). Rejects only on timeout or a dropped connection.
 */
export function send(base: URL, req: FuzzRequest, timeoutMs: number, ca?: string): Promise<FuzzResponse> {
  const t0 = performance.now();
  const q = rawQuery(req.query);
  return new Promise((resolve, reject) => {
    let r;
    try {
      const opts = {
        host: base.hostname, port: base.port, method: req.method, path: q ? `${req.path}?${q}` : req.path,
        headers: { ...req.headers, 'content-length': String(req.body.length) }, ...(ca ? { ca } : {}),
      };
      r = (base.protocol === 'https:' ? httpsRequest : httpRequest)(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
        res.on('error', reject);
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'ERR_INVALID_CHAR' || code === 'ERR_UNESCAPED_CHARACTERS' || code === 'ERR_INVALID_HTTP_TOKEN' || code === 'ERR_HTTP_INVALID_HEADER_VALUE') {
        resolve({ status: -1, headers: {}, body: '', ms: 0 });
        return;
      }
      reject(err);
      return;
    }
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms: ${req.method} ${req.path}`)));
    r.on('error', reject);
    r.end(req.body);
  });
}
