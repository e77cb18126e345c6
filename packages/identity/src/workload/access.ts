import { MandateError } from '@mandate/core';
import { cachedDoc, type CallerIdentity } from '@mandate/edge';
import { collections, type WorkloadIdentityDoc } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { verifyWorkloadAccessToken, type VerifiedWorkloadToken } from './token.ts';

/** A workload key may act only for its own workload; admin keys for any (A.3 item 25). */
export function assertCallerMayActFor(caller: CallerIdentity, workloadName: string): void {
  if (caller.role === 'admin') return;
  if (caller.role === 'workload' && caller.workloadName === workloadName) return;
  throw new MandateError('access_denied', `This access key may not act for workload identity ${workloadName}.`);
}

export async function loadWorkload(services: IdentityServices, workloadName: string): Promise<WorkloadIdentityDoc> {
  const rec = await services.store.get<WorkloadIdentityDoc>(collections.workloadIdentities, workloadName);
  if (!rec) throw new MandateError('not_found', `Workload identity ${workloadName} does not exist.`);
  return rec.doc;
}

/**
 * loadWorkload through the per-process document cache (@mandate/edge doc-cache), for GetResourceOauth2Token only:
 * there the document serves the return-URL check, which only the identity control plane changes (and
 * it invalidates). Other readers (the inbound JWT configuration, which the runtime package rewrites
 * without a change notice) keep reading the store.
 */
export async function loadWorkloadCached(services: IdentityServices, workloadName: string): Promise<WorkloadIdentityDoc> {
  const doc = await cachedDoc<WorkloadIdentityDoc>(services, collections.workloadIdentities, workloadName);
  if (!doc) throw new MandateError('not_found', `Workload identity ${workloadName} does not exist.`);
  return doc;
}

/** Verifies a WAT presented by `caller` and checks the caller may use it (a WAT of another workload is refused). */
export async function authorizeWat(services: IdentityServices, caller: CallerIdentity, wat: string): Promise<VerifiedWorkloadToken> {
  const v = await verifyWorkloadAccessToken(services, wat);
  assertCallerMayActFor(caller, v.workloadName);
  return v;
}
