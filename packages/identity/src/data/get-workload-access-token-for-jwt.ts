import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { verifyUserToken } from '../flows/user-jwt.ts';
import { assertCallerMayActFor, loadWorkload } from '../workload/access.ts';
import { userTokenSchema, workloadNameSchema } from './inputs.ts';
import { mintWorkloadAccessToken } from '../workload/token.ts';

/**
 * A WAT bound to the user of a verified JWT (issuer + subject). The token itself travels sealed inside the
 * WAT so an on-behalf-of exchange can present it later; it is never returned or logged.
 */
export const getWorkloadAccessTokenForJwt = defineOperation({
  name: 'GetWorkloadAccessTokenForJWT',
  method: 'POST',
  path: '/identities/GetWorkloadAccessTokenForJWT',
  plane: 'data',
  successStatus: 200,
  input: z.object({ workloadName: workloadNameSchema, userToken: userTokenSchema }),
  async handler(input, { caller, services }) {
    assertCallerMayActFor(caller, input.workloadName);
    const workload = await loadWorkload(services, input.workloadName);
    const user = await verifyUserToken(services, input.userToken, workload.inboundJwt);
    const workloadAccessToken = await mintWorkloadAccessToken(services, {
      workloadName: input.workloadName,
      user: { kind: 'jwt', issuer: user.issuer, subject: user.subject },
      userToken: input.userToken,
    });
    return { workloadAccessToken };
  },
});
