import { randomAlnum } from '@mandate/core';
import { idempotent } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import type { GatewayEnv } from '../env.ts';
import { loadGateway } from '../records.ts';
import { gatewayIdentifierSchema, targetConfigSchema } from '../schemas.ts';
import { targetView } from '../views.ts';
import { buildTarget, saveTarget } from './write-target.ts';
import { z } from 'zod';

/** POST /gateways/{gatewayIdentifier}/targets/ → 202. The tools are synchronized before it answers, so Get says READY or FAILED with the reason. */
export const createGatewayTarget = (env: GatewayEnv) => defineOperation({
  name: 'CreateGatewayTarget',
  method: 'POST',
  path: '/gateways/:gatewayIdentifier/targets/',
  plane: 'control',
  successStatus: 202,
  input: targetConfigSchema.extend({ gatewayIdentifier: gatewayIdentifierSchema, clientToken: z.string().min(33).max(256).optional() }),
  inputFrom: (b, p) => ({ ...b, gatewayIdentifier: p.gatewayIdentifier }),
  handler: (input, { services }) => idempotent(services, 'CreateGatewayTarget', input.clientToken, input, async () => {
    const gw = (await loadGateway(services, services.store, input.gatewayIdentifier)).doc;
    const target = await buildTarget(env, gw, randomAlnum(10).toUpperCase(), input, services.clock.now());
    await saveTarget(services, target, 'create');
    services.logger.info('gateway target created', { gatewayId: gw.gatewayId, targetId: target.targetId, status: target.status });
    return { ...targetView(target, gw.gatewayArn), status: target.status === 'READY' ? 'CREATING' : target.status };
  }),
});
