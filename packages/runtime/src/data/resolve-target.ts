import { MandateError } from '@mandate/core';
import type { EdgeServices } from '@mandate/edge';
import { runtimeIdFrom } from '../arns.ts';
import { DEFAULT_ENDPOINT, type RuntimeDoc, type RuntimeVersionDoc } from '../model.ts';
import type { TargetQuery } from './inputs.ts';
import { loadEndpointCached, loadRuntimeCached, loadVersionCached } from '../records.ts';

export interface Target {
  runtime: RuntimeDoc;
  version: RuntimeVersionDoc;
  qualifier: string;
}

/** `{agentRuntimeArn}` (ARN or bare id + `?accountId=`) and `?qualifier=` (endpoint name, default DEFAULT) → the version to run. */
export async function resolveTarget(services: EdgeServices, label: string, query: TargetQuery): Promise<Target> {
  const id = runtimeIdFrom(services.config, label, query.accountId ?? null);
  const qualifier = query.qualifier ?? DEFAULT_ENDPOINT;
  const [rt, ep] = await Promise.all([loadRuntimeCached(services, id), loadEndpointCached(services, id, qualifier).catch((e: unknown) => e as Error)]);
  if (rt.status !== 'READY') throw new MandateError('conflict', `Agent runtime ${id} is ${rt.status}.`);
  if (ep instanceof Error) throw ep;
  return { runtime: rt, version: await loadVersionCached(services.store, rt, ep.liveVersion), qualifier };
}
