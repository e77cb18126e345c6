import { MandateError, randomToken } from '@mandate/core';
import type { GatewayEnv } from '../env.ts';
import { gatewayCollections as C, type GatewaySessionDoc } from '../model.ts';

/**
 * The gateway's MCP sessions (`Mcp-Session-Id`, MCP 2025-06-18 §transports), in the store so any instance
 * serves them. A session belongs to the user who initialized it: another user presenting its id gets the
 * same 404 as for an id that never existed, so nothing about the session is revealed (the client then
 * starts its own, as the spec says it must on 404).
 */
const key = (gatewayId: string, sessionId: string) => `${gatewayId}/${sessionId}`;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const notFound = () => new MandateError('not_found', 'Session not found: start a new MCP session (initialize).');

export async function openSession(env: GatewayEnv, doc: GatewaySessionDoc): Promise<string> {
  const id = randomToken(32);
  await env.services.store.insert(C.sessions, key(doc.gatewayId, id), doc, { expiresAt: env.services.clock.now() + env.options.sessionIdleMs });
  return id;
}

export async function loadSession(env: GatewayEnv, gatewayId: string, sessionId: string, owner: string): Promise<GatewaySessionDoc> {
  if (!SESSION_ID.test(sessionId)) throw notFound();
  const rec = await env.services.store.get<GatewaySessionDoc>(C.sessions, key(gatewayId, sessionId));
  if (!rec || rec.doc.owner !== owner) throw notFound();
  // Sliding expiry without a write per request: extended once less than half of it is left.
  const now = env.services.clock.now();
  if (rec.expiresAt !== undefined && rec.expiresAt - now < env.options.sessionIdleMs / 2) {
    await env.services.store.update(C.sessions, key(gatewayId, sessionId), rec.doc, rec.version, { expiresAt: now + env.options.sessionIdleMs });
  }
  return rec.doc;
}

export async function endSession(env: GatewayEnv, gatewayId: string, sessionId: string, owner: string): Promise<void> {
  await loadSession(env, gatewayId, sessionId, owner);
  await env.services.store.delete(C.sessions, key(gatewayId, sessionId));
}
