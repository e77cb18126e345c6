/** Form bodies, single-valued parameters and cookies for the hosted sign-in endpoints. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { readBody } from '@mandate/http';

const FORM_LIMIT = 16 * 1024;

export class BadRequest extends Error {}

/** An `application/x-www-form-urlencoded` body (the only body these endpoints take). */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    throw new BadRequest('The request body must be application/x-www-form-urlencoded.');
  }
  let body: Buffer;
  try {
    body = await readBody(req, FORM_LIMIT);
  } catch {
    throw new BadRequest(`The request body is larger than ${FORM_LIMIT} bytes.`);
  }
  return new URLSearchParams(body.toString('utf8'));
}

/** One value of a parameter (empty counts as absent); a repeated parameter is malformed (RFC 6749 §3.1). */
export function param(p: URLSearchParams, name: string): string | undefined {
  const all = p.getAll(name);
  if (all.length > 1) throw new BadRequest(`The ${name} parameter is repeated.`);
  return all[0] === undefined || all[0] === '' ? undefined : all[0];
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** HttpOnly, SameSite=Lax (the sign-in form posts to its own origin), scoped to the pool's path. */
export function setCookie(res: ServerResponse, name: string, value: string, path: string): void {
  res.setHeader('set-cookie', `${name}=${value}; Path=${path}; HttpOnly; SameSite=Lax`);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
