import { collections, type WorkloadIdentityDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { docChanged } from '@mandate/edge';
import { notFound } from './common.ts';
import { updateWorkloadIdentityInput } from './schemas/workload-identity.ts';
import { workloadIdentityView } from './workload-identity-view.ts';
import { MandateError } from '@mandate/core';

export const updateWorkloadIdentity = defineOperation({
  name: 'UpdateWorkloadIdentity',
  method: 'POST',
  path: '/identities/UpdateWorkloadIdentity',
  plane: 'control',
  successStatus: 200,
  input: updateWorkloadIdentityInput,
  async handler(input, { services }) {
    const doc = await services.store.transaction(async (tx) => {
      const rec = await tx.get<WorkloadIdentityDoc>(collections.workloadIdentities, input.name);
      if (!rec) throw notFound('workload identity', input.name);
      // The list is replaced, not merged (reference §3.5); omitting it clears it, as in AWS.
      const next: WorkloadIdentityDoc = { ...rec.doc, allowedResourceOauth2ReturnUrls: input.allowedResourceOauth2ReturnUrls ?? [], lastUpdatedTime: services.clock.now() };
      const ok = await tx.update(collections.workloadIdentities, input.name, next, rec.version);
      if (!ok) throw new MandateError('conflict', `The workload identity ${input.name} was changed by another request. Retry the call.`);
      return next;
    });
    await docChanged(services, collections.workloadIdentities, input.name);
    return workloadIdentityView(doc);
  },
});
