import { MandateError } from '@mandate/core';
import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import type { GatewayEnv } from '../env.ts';
import { loadGateway, loadTarget } from '../records.ts';
import { gatewayIdentifierSchema, targetIdSchema } from '../schemas.ts';
import { synchronizeTools } from '../sync.ts';
import { targetView } from '../views.ts';
import { saveTarget } from './write-target.ts';

/**
 * PUT /gateways/{gatewayIdentifier}/synchronizeTargets → 202. Lists each named target's tools again
 * (after its MCP server changed them). A target with an inline tool schema has nothing to synchronize
 * and is refused, as AgentCore does.
 */
export const synchronizeGatewayTargets = (env: GatewayEnv) => defineOperation({
  name: 'SynchronizeGatewayTargets',
  method: 'PUT',
  path: '/gateways/:gatewayIdentifier/synchronizeTargets',
  plane: 'control',
  successStatus: 202,
  input: z.object({ gatewayIdentifier: gatewayIdentifierSchema, targetIdList: z.array(targetIdSchema).min(1).max(1) }),
  inputFrom: (b, p) => ({ ...b, gatewayIdentifier: p.gatewayIdentifier }),
  async handler(input, { services }) {
    const gw = (await loadGateway(services, services.store, input.gatewayIdentifier)).doc;
    const targets = [];
    for (const targetId of input.targetIdList) {
      const old = (await loadTarget(services.store, gw.gatewayId, targetId)).doc;
      if (old.toolsFrom === 'inline') throw new MandateError('validation', `The target ${targetId} has an inline mcpToolSchema: there is nothing to synchronize.`);
      if (old.toolsFrom === 'dynamic') throw new MandateError('validation', `The target ${targetId} lists its tools dynamically (listingMode DYNAMIC): there is nothing to synchronize.`);
      const now = services.clock.now();
      const sync = await synchronizeTools(env, gw, old);
      const { statusReasons: _dropped, ...rest } = old;
      const target = { ...rest, tools: sync.tools, status: sync.status, lastSynchronizedAt: now, updatedAt: now, ...(sync.statusReasons ? { statusReasons: sync.statusReasons } : {}) };
      await saveTarget(services, target, 'update', old.name);
      targets.push(targetView(target, gw.gatewayArn));
    }
    return { targets };
  },
});
