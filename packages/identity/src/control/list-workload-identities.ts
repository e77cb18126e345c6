import { collections, type WorkloadIdentityDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { listPage } from '@mandate/edge';
import { listInput } from './schemas/common.ts';

export const listWorkloadIdentities = defineOperation({
  name: 'ListWorkloadIdentities',
  method: 'POST',
  path: '/identities/ListWorkloadIdentities',
  plane: 'control',
  successStatus: 200,
  input: listInput,
  async handler(input, { services }) {
    const page = await listPage<WorkloadIdentityDoc>(services.store, collections.workloadIdentities, input);
    return {
      workloadIdentities: page.items.map((r) => ({ name: r.doc.name, workloadIdentityArn: r.doc.workloadIdentityArn })),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  },
});
