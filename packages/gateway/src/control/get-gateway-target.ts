import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { loadGateway, loadTarget } from '../records.ts';
import { gatewayIdentifierSchema, targetIdSchema } from '../schemas.ts';
import { targetView } from '../views.ts';

export const targetInput = z.object({ gatewayIdentifier: gatewayIdentifierSchema, targetId: targetIdSchema });

/** GET /gateways/{gatewayIdentifier}/targets/{targetId}/ */
export const getGatewayTarget = () => defineOperation({
  name: 'GetGatewayTarget',
  method: 'GET',
  path: '/gateways/:gatewayIdentifier/targets/:targetId/',
  plane: 'control',
  successStatus: 200,
  input: targetInput,
  inputFrom: (_b, p) => ({ gatewayIdentifier: p.gatewayIdentifier, targetId: p.targetId }),
  async handler(input, { services }) {
    const gw = (await loadGateway(services, services.store, input.gatewayIdentifier)).doc;
    return targetView((await loadTarget(services.store, gw.gatewayId, input.targetId)).doc, gw.gatewayArn);
  },
});
