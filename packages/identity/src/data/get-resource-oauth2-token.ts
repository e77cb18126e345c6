import { z } from 'zod';
import { MandateError } from '@mandate/core';
import { defineOperation } from '../operation.ts';
import { getM2mToken } from '../flows/m2m.ts';
import { onBehalfOf } from '../flows/on-behalf-of.ts';
import { loadProvider, providerClient } from '../flows/provider-client.ts';
import { userFederation } from '../flows/user-federation.ts';
import { authorizeWat, loadWorkloadCached } from '../workload/access.ts';
import { providerNameSchema, sessionUriSchema, watSchema } from './inputs.ts';

/** Mandate's wait extension: `x-mandate-wait: <seconds>` makes a USER_FEDERATION poll block until the session changes. */
export const WAIT_HEADER = 'x-mandate-wait';
export const MAX_WAIT_SECONDS = 60;

const input = z.object({
  workloadIdentityToken: watSchema,
  resourceCredentialProviderName: providerNameSchema,
  scopes: z.array(z.string().min(1).max(128)).max(100),
  oauth2Flow: z.enum(['M2M', 'USER_FEDERATION', 'ON_BEHALF_OF_TOKEN_EXCHANGE']),
  sessionUri: sessionUriSchema.optional(),
  resourceOauth2ReturnUrl: z.string().min(1).max(2048).optional(),
  forceAuthentication: z.boolean().optional(),
  customParameters: z.record(z.string().min(1).max(256).regex(/^[a-zA-Z0-9\-_.]+$/), z.string().min(1).max(2048)).optional(),
  customState: z.string().min(1).max(4096).optional(),
  resources: z.array(z.string().min(1).max(2048)).max(10).optional(),
  audiences: z.array(z.string().min(1).max(2048)).max(10).optional(),
});

function waitMs(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const n = Number(Array.isArray(header) ? header[0] : header);
  if (!Number.isFinite(n) || n < 0) throw new MandateError('validation', `${WAIT_HEADER} must be a number of seconds.`);
  return Math.min(n, MAX_WAIT_SECONDS) * 1000;
}

export const getResourceOauth2Token = defineOperation({
  name: 'GetResourceOauth2Token',
  method: 'POST',
  path: '/identities/oauth2/token',
  plane: 'data',
  successStatus: 200,
  input,
  async handler(req, { caller, services, req: http }) {
    const wat = await authorizeWat(services, caller, req.workloadIdentityToken);
    const pc = await providerClient(services, await loadProvider(services, req.resourceCredentialProviderName));
    switch (req.oauth2Flow) {
      case 'M2M':
        return { accessToken: await getM2mToken(services, pc, req) };
      case 'ON_BEHALF_OF_TOKEN_EXCHANGE':
        return { accessToken: await onBehalfOf(services, pc, wat, req) };
      case 'USER_FEDERATION': {
        const workload = await loadWorkloadCached(services, wat.workloadName);
        return userFederation(services, pc, wat, workload, { ...req, waitMs: waitMs(http?.headers[WAIT_HEADER]) });
      }
    }
  },
});
