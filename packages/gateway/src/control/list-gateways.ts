import { z } from 'zod';
import { pageByPrefix } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import { gatewayCollections as C, type GatewayDoc } from '../model.ts';
import { pagingFrom, pagingInput } from '../schemas.ts';
import { gatewaySummary } from '../views.ts';

/** GET /gateways/?maxResults=&nextToken= */
export const listGateways = () => defineOperation({
  name: 'ListGateways',
  method: 'GET',
  path: '/gateways/',
  plane: 'control',
  successStatus: 200,
  input: z.object(pagingInput),
  inputFrom: (_b, _p, q) => pagingFrom(q),
  async handler(input, { services }) {
    const page = await pageByPrefix<GatewayDoc>(services.store, C.gateways, '', input);
    const items = page.items.map(gatewaySummary);
    return page.nextToken ? { items, nextToken: page.nextToken } : { items };
  },
});
