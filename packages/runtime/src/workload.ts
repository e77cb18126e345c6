import { collections, type InboundJwtConfig, type WorkloadIdentityDoc } from '@mandate/identity/model.ts';
import { workloadIdentityArn } from '@mandate/identity/control/arns.ts';
import type { StoreOps } from '@mandate/storage';
import { MandateError } from '@mandate/core';
import type { IdentityServices } from '@mandate/identity/services.ts';
import { returnPageUrl } from './env.ts';
import type { CustomJwtAuthorizer } from './model.ts';

/**
 * Each runtime owns a workload identity named after its id (`managedBy` = runtime id). Its
 * `inboundJwt` mirrors the runtime's authorizer, so GetWorkloadAccessTokenForJWT trusts exactly the
 * issuer (and audiences, clients, scopes, claims) that may invoke the runtime.
 */
export function inboundJwtOf(authorizer: CustomJwtAuthorizer | undefined): InboundJwtConfig[] | undefined {
  return authorizer ? [{ ...authorizer }] : undefined;
}

export async function createRuntimeWorkload(tx: StoreOps, services: IdentityServices, runtimeId: string, authorizer: CustomJwtAuthorizer | undefined): Promise<WorkloadIdentityDoc> {
  const now = services.clock.now();
  const doc: WorkloadIdentityDoc = {
    name: runtimeId,
    workloadIdentityArn: workloadIdentityArn(services.config, runtimeId),
    allowedResourceOauth2ReturnUrls: [returnPageUrl(services)],
    managedBy: runtimeId,
    createdTime: now,
    lastUpdatedTime: now,
  };
  const inbound = inboundJwtOf(authorizer);
  if (inbound) doc.inboundJwt = inbound;
  if (await tx.get(collections.workloadIdentities, runtimeId)) {
    throw new MandateError('conflict', `A workload identity named ${runtimeId} already exists.`);
  }
  await tx.insert(collections.workloadIdentities, runtimeId, doc);
  return doc;
}

/** Keeps the workload's trusted issuer in step with the runtime's authorizer after an update. */
export async function updateRuntimeWorkload(tx: StoreOps, services: IdentityServices, runtimeId: string, authorizer: CustomJwtAuthorizer | undefined): Promise<void> {
  const rec = await tx.get<WorkloadIdentityDoc>(collections.workloadIdentities, runtimeId);
  if (!rec || rec.doc.managedBy !== runtimeId) return;
  const doc: WorkloadIdentityDoc = { ...rec.doc, lastUpdatedTime: services.clock.now() };
  const inbound = inboundJwtOf(authorizer);
  if (inbound) doc.inboundJwt = inbound;
  else delete doc.inboundJwt;
  await tx.put(collections.workloadIdentities, runtimeId, doc);
}

export async function deleteRuntimeWorkload(tx: StoreOps, runtimeId: string): Promise<void> {
  const rec = await tx.get<WorkloadIdentityDoc>(collections.workloadIdentities, runtimeId);
  if (rec && rec.doc.managedBy === runtimeId) await tx.delete(collections.workloadIdentities, runtimeId);
}
