import type { IncomingMessage } from 'node:http';
import { MandateError, validationError } from '@mandate/core';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Reads the whole body, refusing more than `limit` bytes before buffering them. */
export function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new MandateError('payload_too_large', `The request body is larger than the ${limit}-byte limit.`, { reason: 'CannotParse' }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new MandateError('payload_too_large', `The request body is larger than the ${limit}-byte limit.`, { reason: 'CannotParse' }));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON object body. An empty body is `{}` (the AWS SDKs send `{}` for empty inputs). */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw validationError('The request body is not valid JSON.', undefined, 'CannotParse');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw validationError('The request body must be a JSON object.', undefined, 'CannotParse');
  }
  return v as Record<string, unknown>;
}

export async function readJson(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(req, limit));
}
