import { MandateError } from '@mandate/core';
import { docChanged } from '@mandate/edge';
import type { StoreOps } from '@mandate/storage';
import { collections, type InboundJwtConfig, type WorkloadIdentityDoc } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { workloadIdentityArn } from '../arns.ts';

/**
 * Workload identities owned by another part of Mandate (an agent runtime owns the one named after its
 * id, `managedBy` = that owner). Only this module writes their rows; the owner calls these inside its
 * own transaction, so the runtime and its identity are created, changed and deleted together.
 */
export interface ManagedWorkloadInput {
  name: string;
  managedBy: string;
  /** The issuers (and audiences, clients, scopes, claims) GetWorkloadAccessTokenForJWT trusts for it. */
  inboundJwt?: InboundJwtConfig[];
  allowedResourceOauth2ReturnUrls: string[];
}

export async function createManagedWorkload(services: IdentityServices, tx: StoreOps, input: ManagedWorkloadInput): Promise<WorkloadIdentityDoc> {
  const now = services.clock.now();
  const doc: WorkloadIdentityDoc = {
    name: input.name,
    workloadIdentityArn: workloadIdentityArn(services.config, input.name),
    allowedResourceOauth2ReturnUrls: input.allowedResourceOauth2ReturnUrls,
    managedBy: input.managedBy,
    createdTime: now,
    lastUpdatedTime: now,
  };
  if (input.inboundJwt) doc.inboundJwt = input.inboundJwt;
  if (await tx.get(collections.workloadIdentities, input.name)) {
    throw new MandateError('conflict', `A workload identity named ${input.name} already exists.`);
  }
  await tx.insert(collections.workloadIdentities, input.name, doc);
  return doc;
}

/** Keeps a managed workload's trusted issuers in step with its owner; a workload the owner does not own is left alone. */
export async function updateManagedWorkload(services: IdentityServices, tx: StoreOps, name: string, managedBy: string, inboundJwt: InboundJwtConfig[] | undefined): Promise<void> {
  const rec = await tx.get<WorkloadIdentityDoc>(collections.workloadIdentities, name);
  if (!rec || rec.doc.managedBy !== managedBy) return;
  const doc: WorkloadIdentityDoc = { ...rec.doc, lastUpdatedTime: services.clock.now() };
  if (inboundJwt) doc.inboundJwt = inboundJwt;
  else delete doc.inboundJwt;
  await tx.put(collections.workloadIdentities, name, doc);
}

export async function deleteManagedWorkload(tx: StoreOps, name: string, managedBy: string): Promise<void> {
  const rec = await tx.get<WorkloadIdentityDoc>(collections.workloadIdentities, name);
  if (rec && rec.doc.managedBy === managedBy) await tx.delete(collections.workloadIdentities, name);
}

/** Call after the owner's transaction commits: every instance drops its cached copy (doc cache). */
export async function managedWorkloadChanged(services: IdentityServices, name: string): Promise<void> {
  await docChanged(services, collections.workloadIdentities, name);
}
