import { MandateError } from '@mandate/core';
import { docChanged } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import type { GatewayEnv } from '../env.ts';
import { gatewayMembers } from '../gateway.ts';
import { gatewayCollections as C, type GatewayDoc } from '../model.ts';
import { changedMeanwhile, loadGateway } from '../records.ts';
import { gatewayConfigSchema, gatewayIdentifierSchema } from '../schemas.ts';
import { gatewayView } from '../views.ts';

/**
 * PUT /gateways/{gatewayIdentifier}/ → 202. A full replacement of the configuration, as AgentCore's
 * (members left out are removed); the gateway's workload identity follows its authorizer in the same
 * transaction, and every instance drops its cached copy once it commits.
 */
export const updateGateway = (env: GatewayEnv) => defineOperation({
  name: 'UpdateGateway',
  method: 'PUT',
  path: '/gateways/:gatewayIdentifier/',
  plane: 'control',
  successStatus: 202,
  input: gatewayConfigSchema.extend({ gatewayIdentifier: gatewayIdentifierSchema }),
  inputFrom: (b, p) => ({ ...b, gatewayIdentifier: p.gatewayIdentifier }),
  async handler(input, { services }) {
    const members = gatewayMembers(input);
    let out: GatewayDoc | undefined;
    await services.store.transaction(async (tx) => {
      const rec = await loadGateway(services, tx, input.gatewayIdentifier);
      const old = rec.doc;
      if (members.name !== old.name) {
        if (await tx.get(C.gatewayNames, members.name)) throw new MandateError('conflict', `A gateway named ${members.name} already exists.`);
        await tx.delete(C.gatewayNames, old.name);
        await tx.insert(C.gatewayNames, members.name, { gatewayId: old.gatewayId });
      }
      const { gatewayId, gatewayArn, workloadName, workloadIdentityArn, status, targetsRevision, createdAt } = old;
      out = { ...members, gatewayId, gatewayArn, workloadName, workloadIdentityArn, status, targetsRevision, createdAt, updatedAt: services.clock.now() };
      if (!(await tx.update(C.gateways, gatewayId, out, rec.version))) throw changedMeanwhile(gatewayId);
      await env.identity.workloads.update(tx, workloadName, gatewayId, [out.authorizer]);
    });
    await docChanged(services, C.gateways, out!.gatewayId);
    await env.identity.workloads.changed(out!.workloadName);
    return { ...gatewayView(out!, services.config.publicUrl), status: 'UPDATING' };
  },
});
