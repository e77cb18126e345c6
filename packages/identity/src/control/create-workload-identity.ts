import { StoreConflictError } from '@mandate/storage';
import { collections, type WorkloadIdentityDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { workloadIdentityArn } from '../arns.ts';
import { alreadyExists, writeTags } from './common.ts';
import { createWorkloadIdentityInput } from './schemas/workload-identity.ts';

export const createWorkloadIdentity = defineOperation({
  name: 'CreateWorkloadIdentity',
  method: 'POST',
  path: '/identities/CreateWorkloadIdentity',
  plane: 'control',
  successStatus: 201,
  input: createWorkloadIdentityInput,
  async handler(input, { services }) {
    const now = services.clock.now();
    const doc: WorkloadIdentityDoc = {
      name: input.name,
      workloadIdentityArn: workloadIdentityArn(services.config, input.name),
      allowedResourceOauth2ReturnUrls: input.allowedResourceOauth2ReturnUrls ?? [],
      createdTime: now,
      lastUpdatedTime: now,
    };
    try {
      await services.store.transaction(async (tx) => {
        await tx.insert(collections.workloadIdentities, doc.name, doc);
        await writeTags(tx, doc.workloadIdentityArn, input.tags);
      });
    } catch (err) {
      if (err instanceof StoreConflictError) throw alreadyExists('workload identity', input.name);
      throw err;
    }
    // CreateWorkloadIdentity returns no timestamps (reference §3.5).
    return { name: doc.name, workloadIdentityArn: doc.workloadIdentityArn, allowedResourceOauth2ReturnUrls: doc.allowedResourceOauth2ReturnUrls };
  },
});
