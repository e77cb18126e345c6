import type { Operation } from '../operation.ts';
import type { GatewayEnv } from '../env.ts';
import { createGateway } from './create-gateway.ts';
import { getGateway } from './get-gateway.ts';
import { listGateways } from './list-gateways.ts';
import { updateGateway } from './update-gateway.ts';
import { deleteGateway } from './delete-gateway.ts';
import { createGatewayTarget } from './create-gateway-target.ts';
import { getGatewayTarget } from './get-gateway-target.ts';
import { listGatewayTargets } from './list-gateway-targets.ts';
import { updateGatewayTarget } from './update-gateway-target.ts';
import { deleteGatewayTarget } from './delete-gateway-target.ts';
import { synchronizeGatewayTargets } from './synchronize-gateway-targets.ts';

/** The AgentCore Gateway control plane: one line per operation. */
export const controlOperations = (env: GatewayEnv): Operation[] => [
  createGateway(env), getGateway(), listGateways(), updateGateway(env), deleteGateway(env),
  createGatewayTarget(env), getGatewayTarget(), listGatewayTargets(), updateGatewayTarget(env), deleteGatewayTarget(), synchronizeGatewayTargets(env),
] as Operation[];
