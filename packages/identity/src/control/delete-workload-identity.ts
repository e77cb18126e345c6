import { validationError } from '@mandate/core';
import { collections, type WorkloadIdentityDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { docChanged } from '@mandate/edge';
import { deleteTags, notFound } from './common.ts';
import { nameOnlyInput } from './schemas/common.ts';

export const deleteWorkloadIdentity = defineOperation({
  name: 'DeleteWorkloadIdentity',
  method: 'POST',
  path: '/identities/DeleteWorkloadIdentity',
  plane: 'control',
  successStatus: 204,
  input: nameOnlyInput,
  async handler(input, { services }) {
    await services.store.transaction(async (tx) => {
      const rec = await tx.get<WorkloadIdentityDoc>(collections.workloadIdentities, input.name);
      if (!rec) throw notFound('workload identity', input.name);
      // A runtime's own identity lives and dies with the runtime; deleting it here would strand the runtime.
      if (rec.doc.managedBy) {
        throw validationError(`The workload identity ${input.name} is managed by agent runtime ${rec.doc.managedBy}. Delete the agent runtime instead.`, [
          { name: 'name', message: 'Member names a workload identity managed by an agent runtime' },
        ], 'ResourceConflict');
      }
      await tx.delete(collections.workloadIdentities, input.name, rec.version);
      await deleteTags(tx, rec.doc.workloadIdentityArn);
    });
    await docChanged(services, collections.workloadIdentities, input.name);
    return undefined;
  },
});
