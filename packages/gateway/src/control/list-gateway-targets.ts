import { z } from 'zod';
import { pageByPrefix } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import { gatewayCollections as C, type TargetDoc } from '../model.ts';
import { loadGateway } from '../records.ts';
import { gatewayIdentifierSchema, pagingFrom, pagingInput } from '../schemas.ts';
import { targetSummary } from '../views.ts';

/** GET /gateways/{gatewayIdentifier}/targets/?maxResults=&nextToken= */
export const listGatewayTargets = () => defineOperation({
  name: 'ListGatewayTargets',
  method: 'GET',
  path: '/gateways/:gatewayIdentifier/targets/',
  plane: 'control',
  successStatus: 200,
  input: z.object({ gatewayIdentifier: gatewayIdentifierSchema, ...pagingInput }),
  inputFrom: (_b, p, q) => ({ gatewayIdentifier: p.gatewayIdentifier, ...pagingFrom(q) }),
  async handler(input, { services }) {
    const gw = (await loadGateway(services, services.store, input.gatewayIdentifier)).doc;
    const page = await pageByPrefix<TargetDoc>(services.store, C.targets, `${gw.gatewayId}/`, input);
    const items = page.items.map(targetSummary);
    return page.nextToken ? { items, nextToken: page.nextToken } : { items };
  },
});
