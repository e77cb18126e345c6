import { operationKit, type EdgeServices, type Operation as EdgeOperation } from '@mandate/edge';
import type { z } from 'zod';

/** An operation of the gateway control plane: the edge's Operation over the edge's services. */
export type Operation<S extends z.ZodType = z.ZodType, O = unknown> = EdgeOperation<S, O, EdgeServices>;

export const defineOperation = operationKit<EdgeServices>();
