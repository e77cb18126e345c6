import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '@mandate/http';
import { EntraError } from './errors.ts';

const FORM_LIMIT = 64 * 1024;

/** Reads an `application/x-www-form-urlencoded` body (the only body the OAuth endpoints accept). */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let body: Buffer;
  try {
    body = await readBody(req, FORM_LIMIT);
  } catch {
    throw new EntraError(500021);
  }
  if (type !== 'application/x-www-form-urlencoded') {
    if (body.length === 0) return new URLSearchParams();
    throw new EntraError(90023, [`Received '${type || 'no content type'}'.`]);
  }
  return new URLSearchParams(body.toString('utf8'));
}

/** One value of a parameter; a repeated parameter is a malformed request (RFC 6749 §3.1). */
export function param(p: URLSearchParams, name: string): string | undefined {
  const all = p.getAll(name);
  if (all.length > 1) throw new EntraError(9002313, [`Parameter '${name}' is duplicated.`]);
  const v = all[0];
  return v === undefined || v === '' ? undefined : v;
}

export function required(p: URLSearchParams, name: string): string {
  const v = param(p, name);
  if (v === undefined) throw new EntraError(900144, [name]);
  return v;
}

export function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  return out;
}

export function appendCookie(res: ServerResponse, cookie: string): void {
  const prev = res.getHeader('set-cookie');
  const list = Array.isArray(prev) ? prev : prev === undefined ? [] : [String(prev)];
  res.setHeader('set-cookie', [...list, cookie]);
}

/** Session cookies: HttpOnly, Secure, SameSite=None like ESTSAUTH (form_post returns are cross-site POSTs). */
export function sessionCookie(name: string, value: string, maxAgeSec?: number): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; Secure; SameSite=None${maxAgeSec !== undefined ? `; Max-Age=${maxAgeSec}` : ''}`;
}
