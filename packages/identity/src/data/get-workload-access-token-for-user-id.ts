import { z } from 'zod';
import { MandateError } from '@mandate/core';
import { defineOperation } from '../operation.ts';
import { assertCallerMayActFor, loadWorkload } from '../workload/access.ts';
import { userIdSchema, workloadNameSchema } from './inputs.ts';
import { mintWorkloadAccessToken } from '../workload/token.ts';

/**
 * A WAT for a caller-asserted user id. Asserting a user without proof is privileged (A.3 item 25): only
 * admin keys and keys created with allowUserIdTokens may do it.
 */
export const getWorkloadAccessTokenForUserId = defineOperation({
  name: 'GetWorkloadAccessTokenForUserId',
  method: 'POST',
  path: '/identities/GetWorkloadAccessTokenForUserId',
  plane: 'data',
  successStatus: 200,
  input: z.object({ workloadName: workloadNameSchema, userId: userIdSchema }),
  async handler(input, { caller, services }) {
    assertCallerMayActFor(caller, input.workloadName);
    if (caller.role !== 'admin' && !caller.allowUserIdTokens) {
      throw new MandateError('access_denied', 'This access key may not mint workload access tokens for a user id (allowUserIdTokens is off).');
    }
    await loadWorkload(services, input.workloadName);
    return {
      workloadAccessToken: await mintWorkloadAccessToken(services, { workloadName: input.workloadName, user: { kind: 'userId', userId: input.userId } }),
    };
  },
});
