import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { loadGateway } from '../records.ts';
import { gatewayIdentifierSchema } from '../schemas.ts';
import { gatewayView } from '../views.ts';

export const gatewayIdentifierInput = z.object({ gatewayIdentifier: gatewayIdentifierSchema });

/** GET /gateways/{gatewayIdentifier}/ */
export const getGateway = () => defineOperation({
  name: 'GetGateway',
  method: 'GET',
  path: '/gateways/:gatewayIdentifier/',
  plane: 'control',
  successStatus: 200,
  input: gatewayIdentifierInput,
  inputFrom: (_b, p) => ({ gatewayIdentifier: p.gatewayIdentifier }),
  async handler(input, { services }) {
    return gatewayView((await loadGateway(services, services.store, input.gatewayIdentifier)).doc, services.config.publicUrl);
  },
});
