import { MandateError } from '@mandate/core';
import { docChanged, type EdgeServices } from '@mandate/edge';
import type { GatewayEnv } from '../env.ts';
import { gatewayCollections as C, targetKey, type GatewayDoc, type TargetDoc } from '../model.ts';
import { bumpTargetsRevision, loadGateway } from '../records.ts';
import type { TargetConfigInput } from '../schemas.ts';
import { synchronizeTools } from '../sync.ts';
import { resolveTarget } from '../targets.ts';

/**
 * The document of a created or updated target: its configuration checked (resolveTarget), its tools from
 * the inline schema or a synchronization with the upstream. Runs before the transaction: a slow upstream
 * holds no lock.
 */
export async function buildTarget(env: GatewayEnv, gw: GatewayDoc, targetId: string, input: TargetConfigInput, createdAt: number): Promise<TargetDoc> {
  const resolved = await resolveTarget(env.identity, env.services.config.devMode, input);
  const now = env.services.clock.now();
  const base = { gatewayId: gw.gatewayId, targetId, name: input.name, endpoint: resolved.endpoint, credential: resolved.credential, createdAt, updatedAt: now };
  const echo = {
    targetConfiguration: input.targetConfiguration as Record<string, unknown>,
    credentialProviderConfigurations: (input.credentialProviderConfigurations ?? []) as Record<string, unknown>[],
    ...(input.description === undefined ? {} : { description: input.description }),
  };
  if (resolved.inlineTools) return { ...base, ...echo, tools: resolved.inlineTools, toolsFrom: 'inline', status: 'READY' };
  if (resolved.dynamic) return { ...base, ...echo, tools: [], toolsFrom: 'dynamic', status: 'READY' };
  const sync = await synchronizeTools(env, gw, base);
  return { ...base, ...echo, tools: sync.tools, toolsFrom: 'synchronized', status: sync.status, lastSynchronizedAt: now, ...(sync.statusReasons ? { statusReasons: sync.statusReasons } : {}) };
}

/** Writes a target with its name index and the gateway's revision, in one transaction; then tells every instance. */
export async function saveTarget(services: EdgeServices, target: TargetDoc, mode: 'create' | 'update', previousName?: string): Promise<GatewayDoc> {
  let gw: GatewayDoc | undefined;
  await services.store.transaction(async (tx) => {
    const rec = await loadGateway(services, tx, target.gatewayId);
    const nameKey = targetKey(target.gatewayId, target.name);
    if (mode === 'create' || previousName !== target.name) {
      if (await tx.get(C.targetNames, nameKey)) throw new MandateError('conflict', `The gateway ${target.gatewayId} already has a target named ${target.name}.`);
      if (previousName !== undefined) await tx.delete(C.targetNames, targetKey(target.gatewayId, previousName));
      await tx.insert(C.targetNames, nameKey, { targetId: target.targetId });
    }
    if (mode === 'create') await tx.insert(C.targets, targetKey(target.gatewayId, target.targetId), target);
    else if (!(await tx.get(C.targets, targetKey(target.gatewayId, target.targetId)))) throw new MandateError('not_found', `The target ${target.targetId} of gateway ${target.gatewayId} does not exist.`);
    else await tx.put(C.targets, targetKey(target.gatewayId, target.targetId), target);
    gw = await bumpTargetsRevision(tx, rec);
  });
  await docChanged(services, C.gateways, target.gatewayId);
  return gw!;
}
