import { operationKit, type Operation as EdgeOperation, type OperationContext as EdgeOperationContext } from '@mandate/edge';
import type { z } from 'zod';
import type { IdentityServices } from './services.ts';

/** An operation of the identity planes: the edge's Operation over IdentityServices. */
export type Operation<S extends z.ZodType = z.ZodType, O = unknown> = EdgeOperation<S, O, IdentityServices>;

export const defineOperation = operationKit<IdentityServices>();

export type OperationContext = EdgeOperationContext<IdentityServices>;
