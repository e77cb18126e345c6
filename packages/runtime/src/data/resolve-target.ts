import { MandateError, uuid, validationError } from '@mandate/core';
import type { IncomingMessage } from 'node:http';
import type { EdgeServices } from '@mandate/edge';
import { runtimeIdFrom } from '../arns.ts';
import { DEFAULT_ENDPOINT, type RuntimeDoc, type RuntimeVersionDoc } from '../model.ts';
import { loadEndpointCached, loadRuntimeCached, loadVersionCached } from '../records.ts';

export const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
/** AgentCore requires at least 33 characters (a UUID is 36); Mandate enforces the same at its edge. */
const SESSION_ID = /^[\x21-\x7e]{33,256}$/;

export interface Target {
  runtime: RuntimeDoc;
  version: RuntimeVersionDoc;
  qualifier: string;
}

/** `{agentRuntimeArn}` (ARN or bare id + `?accountId=`) and `?qualifier=` (endpoint name, default DEFAULT) → the version to run. */
export async function resolveTarget(services: EdgeServices, label: string, query: URLSearchParams): Promise<Target> {
  const id = runtimeIdFrom(services.config, label, query.get('accountId'));
  const qualifier = query.get('qualifier') || DEFAULT_ENDPOINT;
  const [rt, ep] = await Promise.all([loadRuntimeCached(services, id), loadEndpointCached(services, id, qualifier).catch((e: unknown) => e as Error)]);
  if (rt.status !== 'READY') throw new MandateError('conflict', `Agent runtime ${id} is ${rt.status}.`);
  if (ep instanceof Error) throw ep;
  return { runtime: rt, version: await loadVersionCached(services.store, rt, ep.liveVersion), qualifier };
}

/** The caller's session id, or a fresh one when absent (only non-SDK callers omit it). */
export function sessionIdOf(req: IncomingMessage, required = false): string {
  const h = req.headers[SESSION_HEADER];
  if (h === undefined || h === '') {
    if (required) throw validationError('The X-Amzn-Bedrock-AgentCore-Runtime-Session-Id header is required.', [{ name: 'runtimeSessionId', message: 'Member must not be null' }]);
    return uuid();
  }
  if (typeof h !== 'string' || !SESSION_ID.test(h)) {
    throw validationError('runtimeSessionId must be 33 to 256 printable characters.', [{ name: 'runtimeSessionId', message: 'Member must have length greater than or equal to 33' }]);
  }
  return h;
}
