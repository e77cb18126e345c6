import { isIP } from 'node:net';

/**
 * Outbound fetches of admin-configured URLs (OIDC discovery, JWKS): https only (plain http only for
 * loopback hosts in dev mode), no redirects, a timeout and a response size cap (security checklist
 * A.4 item 38; RFC 8725 §3.10). Literal private/loopback/link-local addresses are refused outside
 * dev mode, and the key cache resolves host names and refuses private answers before each fetch; pinning the
 * checked address (DNS rebinding) is left to the injected `fetch` (docs/security.md, not covered yet).
 */
export class OutboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Literal IPs that must never be dialled from a production server (RFC 1918, loopback, link-local, ULA, mapped forms). */
function isPrivateLiteral(hostname: string): boolean {
  let h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  // Numeric shorthands such as 0x7f000001 or 2130706433 are normalised by the WHATWG URL parser to dotted form.
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(h) === 6) {
    if (h === '::' || h === '::1') return true;
    if (h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe8') || h.startsWith('fe9') || h.startsWith('fea') || h.startsWith('feb')) return true;
    if (h.startsWith('::ffff:')) return true; // IPv4-mapped: never needed for an IdP
    return false;
  }
  return h === 'localhost' || h.endsWith('.localhost');
}

/** Validates an outbound URL; throws OutboundUrlError with a reason for the debug log. */
export function checkOutboundUrl(raw: string, devMode: boolean): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new OutboundUrlError('not an absolute URL');
  }
  if (u.username || u.password) throw new OutboundUrlError('credentials in URL');
  if (u.hash) throw new OutboundUrlError('fragment in URL');
  if (devMode && isLoopbackHost(u.hostname)) {
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new OutboundUrlError('scheme must be http(s)');
    return u;
  }
  if (u.protocol !== 'https:') throw new OutboundUrlError('scheme must be https');
  if (isPrivateLiteral(u.hostname)) throw new OutboundUrlError('private or loopback address');
  return u;
}

export interface FetchJsonOptions {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxBytes: number;
}

/** GETs a JSON object with no redirects, a timeout and a byte cap enforced while streaming. */
export async function fetchJsonObject(url: URL, options: FetchJsonOptions): Promise<Record<string, unknown>> {
  const res = await options.fetch(url, {
    method: 'GET',
    redirect: 'manual',
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {});
    throw new OutboundUrlError(`unexpected status ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > options.maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new OutboundUrlError('response too large');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new OutboundUrlError('response too large');
      }
      chunks.push(value);
    }
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new OutboundUrlError('response is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new OutboundUrlError('response is not a JSON object');
  return v as Record<string, unknown>;
}
