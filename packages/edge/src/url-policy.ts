import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { validationError } from '@mandate/core';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOOPBACK_NAMES.has(h) || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Addresses a provider URL must never reach from the server (OWASP SSRF cheat sheet; reference
 * security checklist #38): loopback, RFC 1918, CGNAT, link-local (cloud metadata), ULA, unspecified,
 * and IPv4-mapped forms of those.
 */
export function isPrivateAddress(ip: string): boolean {
  const v = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (mapped) return isPrivateAddress(mapped[1]!);
  // WHATWG URL serialises mapped addresses in hex (`[::ffff:a00:1]`), so decode that form too.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (isIP(v) === 4) {
    const [a, b] = v.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31)
      || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (isIP(v) === 6) return v === '::' || v === '::1' || v.startsWith('fe8') || v.startsWith('fe9') || v.startsWith('fea') || v.startsWith('feb') || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('ff');
  return false;
}

/**
 * The rule for every provider URL Mandate stores or fetches: https, no userinfo, no fragment; in dev
 * mode plain http is allowed for loopback hosts only (the emulators). Returns the parsed URL.
 */
export function checkProviderUrl(value: string, field: string, devMode: boolean): URL {
  const fail = (why: string) => validationError(`The URL at '${field}' ${why}.`, [{ name: field, message: `Member ${why}` }]);
  if (!URL.canParse(value)) throw fail('is not an absolute URL');
  const u = new URL(value);
  const loopback = isLoopbackHost(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && devMode && loopback)) {
    throw fail(devMode ? 'must use https (http is allowed only for loopback hosts in dev mode)' : 'must use https');
  }
  if (u.username || u.password) throw fail('must not contain user information');
  if (u.hash) throw fail('must not contain a fragment');
  if (!(devMode && loopback) && (loopback || isPrivateAddress(u.hostname))) throw fail('must not point at a loopback, private or link-local address');
  return u;
}

/** Resolves the host before fetching and refuses private targets (outside dev-mode loopback). */
export async function checkResolvedHost(u: URL, field: string, devMode: boolean): Promise<void> {
  if (devMode && isLoopbackHost(u.hostname)) return;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return; // literal addresses were checked by checkProviderUrl
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    throw validationError(`The host ${host} at '${field}' could not be resolved.`, [{ name: field, message: 'Member host could not be resolved' }]);
  }
  if (addresses.some((a) => isPrivateAddress(a.address))) {
    throw validationError(`The host ${host} at '${field}' resolves to a loopback, private or link-local address.`, [{ name: field, message: 'Member must not resolve to a private address' }]);
  }
}
