import { defineOperation } from '../operation.ts';
import type { GatewayEnv } from '../env.ts';
import { loadGateway, loadTarget } from '../records.ts';
import { gatewayIdentifierSchema, targetConfigSchema, targetIdSchema } from '../schemas.ts';
import { targetView } from '../views.ts';
import { buildTarget, saveTarget } from './write-target.ts';

/** PUT /gateways/{gatewayIdentifier}/targets/{targetId}/ → 202. A full replacement; the tools are synchronized again. */
export const updateGatewayTarget = (env: GatewayEnv) => defineOperation({
  name: 'UpdateGatewayTarget',
  method: 'PUT',
  path: '/gateways/:gatewayIdentifier/targets/:targetId/',
  plane: 'control',
  successStatus: 202,
  input: targetConfigSchema.extend({ gatewayIdentifier: gatewayIdentifierSchema, targetId: targetIdSchema }),
  inputFrom: (b, p) => ({ ...b, gatewayIdentifier: p.gatewayIdentifier, targetId: p.targetId }),
  async handler(input, { services }) {
    const gw = (await loadGateway(services, services.store, input.gatewayIdentifier)).doc;
    const old = (await loadTarget(services.store, gw.gatewayId, input.targetId)).doc;
    const target = await buildTarget(env, gw, old.targetId, input, old.createdAt);
    await saveTarget(services, target, 'update', old.name);
    return { ...targetView(target, gw.gatewayArn), status: target.status === 'READY' ? 'UPDATING' : target.status };
  },
});
