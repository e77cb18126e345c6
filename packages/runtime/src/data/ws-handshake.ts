import type { IncomingMessage } from 'node:http';
import { MandateError, uuid } from '@mandate/core';
import type { UpgradeContext } from '@mandate/http';
import type { RuntimeEnv } from '../env.ts';
import { authenticateInvocation, type InvocationCaller } from './inbound-auth.ts';
import { SESSION_QUERY, type TargetQuery } from './inputs.ts';
import { rawQueryOf } from './open-session.ts';
import { resolveTarget, type Target } from './resolve-target.ts';

const NO_BODY = Buffer.alloc(0);

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


/**
 * Everything a WebSocket route of the runtime checks before it answers the handshake: that it is one, the
 * runtime and endpoint, and the caller, by any of the SDK's three ways (SigV4 headers, a presigned URL,
 * an OAuth bearer in Authorization or Sec-WebSocket-Protocol); then the session id (header, or the signed
 * query parameter presigned URLs carry; a new one when neither is given).
 */
export async function authenticateUpgrade(
  env: RuntimeEnv, rc: UpgradeContext, query: TargetQuery & { [SESSION_QUERY]?: string | undefined }, h: { runtimeSessionId?: string | undefined; protocols?: string | undefined },
): Promise<{ target: Target; caller: InvocationCaller; offered: string[]; sessionId: string }> {
  assertHandshake(rc.req);
  const offered = offeredProtocols(h.protocols);
  const bearer = bearerFrom(offered);
  const target = await resolveTarget(env.services, rc.params.agentRuntimeArn!, query);
  const caller = await authenticateInvocation(env.services, env.identity, rc.req, rc.rawPath, rawQueryOf(rc.req), NO_BODY, target.version, {
    ...(bearer === undefined ? {} : { bearer }),
    presigned: { maxExpiresSeconds: PRESIGNED_MAX_SECONDS },
  });
  return { target, caller, offered, sessionId: h.runtimeSessionId ?? query[SESSION_QUERY] ?? uuid() };
}
