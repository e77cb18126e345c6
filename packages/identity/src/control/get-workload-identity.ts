import { collections, type WorkloadIdentityDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { notFound } from './common.ts';
import { nameOnlyInput } from './schemas/common.ts';
import { workloadIdentityView } from './workload-identity-view.ts';

export const getWorkloadIdentity = defineOperation({
  name: 'GetWorkloadIdentity',
  method: 'POST',
  path: '/identities/GetWorkloadIdentity',
  plane: 'control',
  successStatus: 200,
  input: nameOnlyInput,
  async handler(input, { services }) {
    const rec = await services.store.get<WorkloadIdentityDoc>(collections.workloadIdentities, input.name);
    if (!rec) throw notFound('workload identity', input.name);
    return workloadIdentityView(rec.doc);
  },
});
