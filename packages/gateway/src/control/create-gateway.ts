import { MandateError, randomAlnum, validationError } from '@mandate/core';
import { idempotent } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import type { GatewayEnv } from '../env.ts';
import { gatewayArn } from '../arns.ts';
import { gatewayMembers } from '../gateway.ts';
import { gatewayCollections as C, type GatewayDoc } from '../model.ts';
import { createGatewaySchema } from '../schemas.ts';
import { gatewayUrl, gatewayView } from '../views.ts';
import { isResourceFor, RESOURCE_TAG } from '@mandate/edge';

/** The gateway's workload identity: `gw-{gatewayId}` (two or more hyphens, so never a runtime's id). */
export const gatewayWorkloadName = (gatewayId: string) => `gw-${gatewayId}`;

/** POST /gateways/ → 202. The gateway and its workload identity (trusting the gateway's authorizer) are written together. */
export const createGateway = (env: GatewayEnv) => defineOperation({
  name: 'CreateGateway',
  method: 'POST',
  path: '/gateways/',
  plane: 'control',
  successStatus: 202,
  input: createGatewaySchema,
  handler: (input, { services }) => idempotent(services, 'CreateGateway', input.clientToken, input, async () => {
    const members = gatewayMembers(input);
    const now = services.clock.now();
    const id = `${input.name.toLowerCase()}-${randomAlnum(10).toLowerCase()}`;
    const resource = input.tags?.[RESOURCE_TAG];
    if (resource !== undefined && !isResourceFor(resource, gatewayUrl(services.config.publicUrl, id))) {
      throw validationError(`The tag ${RESOURCE_TAG} must be the gateway URL or a same-origin path prefix of it (${services.config.publicUrl}/…), without query or fragment.`, [{ name: `tags.${RESOURCE_TAG}`, message: 'Member must be a prefix of the gateway URL' }]);
    }
    const gw: GatewayDoc = {
      ...members,
      gatewayId: id,
      gatewayArn: gatewayArn(services.config, id),
      workloadName: gatewayWorkloadName(id),
      workloadIdentityArn: '',
      // Nothing is provisioned asynchronously: the gateway serves at once (Get says READY).
      status: 'READY',
      targetsRevision: 0,
      createdAt: now,
      updatedAt: now,
    };
    await services.store.transaction(async (tx) => {
      if (await tx.get(C.gatewayNames, input.name)) throw new MandateError('conflict', `A gateway named ${input.name} already exists.`);
      const workload = await env.identity.workloads.create(tx, { name: gw.workloadName, managedBy: id, inboundJwt: [gw.authorizer] });
      gw.workloadIdentityArn = workload.workloadIdentityArn;
      await tx.insert(C.gatewayNames, input.name, { gatewayId: id });
      await tx.insert(C.gateways, id, gw);
      await env.identity.tags.write(tx, gw.gatewayArn, input.tags);
    });
    services.logger.info('gateway created', { gatewayId: id });
    return { ...gatewayView(gw, services.config.publicUrl), status: 'CREATING' };
  }),
});
