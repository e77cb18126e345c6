import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { completeResourceTokenAuth } from '../flows/complete.ts';
import { sessionUriSchema, userIdSchema, userTokenSchema } from './inputs.ts';

/** The application confirms who is signed in; see flows/complete.ts for the binding rule. */
export const completeResourceTokenAuthOperation = defineOperation({
  name: 'CompleteResourceTokenAuth',
  method: 'POST',
  path: '/identities/CompleteResourceTokenAuth',
  plane: 'data',
  successStatus: 200,
  input: z.object({
    sessionUri: sessionUriSchema,
    // A union: exactly one member (the client does not enforce it; agentcore-identity-api.md §1.1).
    userIdentifier: z.union([
      z.strictObject({ userId: userIdSchema }),
      z.strictObject({ userToken: userTokenSchema }),
    ]),
  }),
  async handler(input, { caller, services }) {
    await completeResourceTokenAuth(services, caller, input.sessionUri, input.userIdentifier);
    return {};
  },
});
