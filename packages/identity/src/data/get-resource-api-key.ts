import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { readApiKey } from '../flows/api-key.ts';
import { authorizeWat } from '../workload/access.ts';
import { providerNameSchema, watSchema } from './inputs.ts';

export const getResourceApiKey = defineOperation({
  name: 'GetResourceApiKey',
  method: 'POST',
  path: '/identities/api-key',
  plane: 'data',
  successStatus: 200,
  input: z.object({ workloadIdentityToken: watSchema, resourceCredentialProviderName: providerNameSchema }),
  async handler(input, { caller, services }) {
    await authorizeWat(services, caller, input.workloadIdentityToken);
    return { apiKey: await readApiKey(services, input.resourceCredentialProviderName) };
  },
});
