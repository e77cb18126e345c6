import { MandateError } from '@mandate/core';
import { cachedDoc, type EdgeServices } from '@mandate/edge';
import type { StoreOps, StoredRecord } from '@mandate/storage';
import { gatewayIdFrom } from './arns.ts';
import { gatewayCollections as C, targetKey, type GatewayDoc, type TargetDoc } from './model.ts';

export const changedMeanwhile = (id: string) => new MandateError('conflict', `The gateway ${id} was changed by another request at the same time. Retry the call.`);

/** Every target write goes through here, in its transaction: the gateway's targetsRevision moves with it (gatewayTargets' cache key). */
export async function bumpTargetsRevision(tx: StoreOps, rec: StoredRecord<GatewayDoc>): Promise<GatewayDoc> {
  const doc: GatewayDoc = { ...rec.doc, targetsRevision: rec.doc.targetsRevision + 1 };
  if (!(await tx.update(C.gateways, doc.gatewayId, doc, rec.version))) throw changedMeanwhile(doc.gatewayId);
  return doc;
}

const noGateway = (id: string) => new MandateError('not_found', `The gateway ${id} does not exist.`);

export async function loadGateway(services: EdgeServices, store: StoreOps, identifier: string): Promise<StoredRecord<GatewayDoc>> {
  const id = gatewayIdFrom(services.config, identifier);
  const rec = await store.get<GatewayDoc>(C.gateways, id);
  if (!rec) throw noGateway(id);
  return rec;
}

export async function loadTarget(store: StoreOps, gatewayId: string, targetId: string): Promise<StoredRecord<TargetDoc>> {
  const rec = await store.get<TargetDoc>(C.targets, targetKey(gatewayId, targetId));
  if (!rec) throw new MandateError('not_found', `The target ${targetId} of gateway ${gatewayId} does not exist.`);
  return rec;
}

/** The gateway of a data-plane request, through the per-process document cache (control writes call docChanged). */
export async function loadGatewayCached(services: EdgeServices, id: string): Promise<GatewayDoc> {
  const doc = await cachedDoc<GatewayDoc>(services, C.gateways, id);
  if (!doc) throw noGateway(id);
  return doc;
}

export async function allTargets(store: StoreOps, gatewayId: string): Promise<TargetDoc[]> {
  const out: TargetDoc[] = [];
  let after: string | undefined;
  do {
    const page = await store.list<TargetDoc>(C.targets, after === undefined ? { prefix: `${gatewayId}/`, limit: 100 } : { prefix: `${gatewayId}/`, after, limit: 100 });
    out.push(...page.items.map((r) => r.doc));
    after = page.next;
  } while (after !== undefined);
  return out;
}

/**
 * The targets of a gateway for the data plane, kept per process and keyed by the gateway's
 * `targetsRevision`: every target write bumps it in the same transaction, and the gateway document
 * itself comes through the invalidated document cache, so a changed target list is never served.
 */
const targetCache = new WeakMap<EdgeServices, Map<string, { revision: number; createdAt: number; targets: readonly TargetDoc[] }>>();
const TARGET_CACHE_MAX = 1000;

export async function gatewayTargets(services: EdgeServices, gw: GatewayDoc): Promise<readonly TargetDoc[]> {
  let m = targetCache.get(services);
  if (!m) targetCache.set(services, (m = new Map()));
  const hit = m.get(gw.gatewayId);
  if (hit && hit.revision === gw.targetsRevision && hit.createdAt === gw.createdAt) return hit.targets;
  const targets = Object.freeze(await allTargets(services.store, gw.gatewayId));
  // Only a list at least as new as the revision asked for is kept (a slow read must not win over a newer one).
  const now = m.get(gw.gatewayId);
  if (!now || now.revision <= gw.targetsRevision) {
    if (m.size >= TARGET_CACHE_MAX && !m.has(gw.gatewayId)) m.delete(m.keys().next().value!);
    m.set(gw.gatewayId, { revision: gw.targetsRevision, createdAt: gw.createdAt, targets });
  }
  return targets;
}
