import type { IncomingMessage } from 'node:http';
import { MandateError } from '@mandate/core';

/** The bearer carrier the bedrock-agentcore RuntimeClient offers: `base64UrlBearerAuthorization.<token>` plus the bare name. */
export const BEARER_PROTOCOL = 'base64UrlBearerAuthorization';
/** The bedrock-agentcore SDK refuses to presign for longer (MAX_PRESIGNED_URL_TIMEOUT); Mandate holds URLs to the same. */
export const PRESIGNED_MAX_SECONDS = 300;

export function offeredProtocols(header: string | undefined): string[] {
  return header === undefined ? [] : header.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

export function bearerFrom(protocols: string[]): string | undefined {
  const carrier = protocols.find((p) => p.startsWith(`${BEARER_PROTOCOL}.`));
  if (carrier === undefined) return undefined;
  const encoded = carrier.slice(BEARER_PROTOCOL.length + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new MandateError('validation', 'The bearer token in Sec-WebSocket-Protocol is not base64url.');
  return Buffer.from(encoded, 'base64url').toString('utf8');
}

/** RFC 6455 §4.2.1: what makes a request a WebSocket opening handshake; anything else is refused before any work. */
export function assertHandshake(req: IncomingMessage): void {
  const key = req.headers['sec-websocket-key'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || req.headers['sec-websocket-version'] !== '13' || typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    throw new MandateError('validation', 'This path takes a WebSocket opening handshake (Upgrade: websocket, Sec-WebSocket-Version: 13, a Sec-WebSocket-Key).');
  }
}

