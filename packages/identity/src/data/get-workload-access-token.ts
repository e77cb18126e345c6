import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { assertCallerMayActFor, loadWorkload } from '../workload/access.ts';
import { workloadNameSchema } from './inputs.ts';
import { mintWorkloadAccessToken } from '../workload/token.ts';

/** A WAT for the workload alone (no user): enough for M2M and API keys. */
export const getWorkloadAccessToken = defineOperation({
  name: 'GetWorkloadAccessToken',
  method: 'POST',
  path: '/identities/GetWorkloadAccessToken',
  plane: 'data',
  successStatus: 200,
  input: z.object({ workloadName: workloadNameSchema }),
  async handler(input, { caller, services }) {
    assertCallerMayActFor(caller, input.workloadName);
    await loadWorkload(services, input.workloadName);
    return { workloadAccessToken: await mintWorkloadAccessToken(services, { workloadName: input.workloadName, user: { kind: 'none' } }) };
  },
});
