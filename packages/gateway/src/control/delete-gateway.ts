import { MandateError } from '@mandate/core';
import { docChanged } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import type { GatewayEnv } from '../env.ts';
import { gatewayCollections as C } from '../model.ts';
import { loadGateway } from '../records.ts';
import { gatewayIdentifierInput } from './get-gateway.ts';

/**
 * DELETE /gateways/{gatewayIdentifier}/ → 202. As AgentCore: a gateway with targets cannot be deleted
 * (delete them first). Its workload identity, MCP sessions and tags go with it.
 */
export const deleteGateway = (env: GatewayEnv) => defineOperation({
  name: 'DeleteGateway',
  method: 'DELETE',
  path: '/gateways/:gatewayIdentifier/',
  plane: 'control',
  successStatus: 202,
  input: gatewayIdentifierInput,
  inputFrom: (_b, p) => ({ gatewayIdentifier: p.gatewayIdentifier }),
  async handler(input, { services }) {
    let id = '';
    let workloadName = '';
    await services.store.transaction(async (tx) => {
      const gw = (await loadGateway(services, tx, input.gatewayIdentifier)).doc;
      id = gw.gatewayId;
      workloadName = gw.workloadName;
      if ((await tx.list(C.targets, { prefix: `${id}/`, limit: 1 })).items.length > 0) {
        throw new MandateError('validation', `The gateway ${id} still has targets: delete them first (DeleteGatewayTarget).`);
      }
      await tx.delete(C.gateways, id);
      await tx.delete(C.gatewayNames, gw.name);
      await env.identity.workloads.delete(tx, workloadName, id);
      await env.identity.tags.delete(tx, gw.gatewayArn);
    });
    // Sessions expire on their own; removing them here makes a deleted gateway's session ids dead at once.
    for (;;) {
      const page = await services.store.list(C.sessions, { prefix: `${id}/`, limit: 100 });
      for (const r of page.items) await services.store.delete(C.sessions, r.id);
      if (page.next === undefined) break;
    }
    await docChanged(services, C.gateways, id);
    await env.identity.workloads.changed(workloadName);
    return { gatewayId: id, status: 'DELETING' };
  },
});
