import type { Operation } from '../operation.ts';
import { getWorkloadAccessToken } from './get-workload-access-token.ts';
import { getWorkloadAccessTokenForJwt } from './get-workload-access-token-for-jwt.ts';
import { getWorkloadAccessTokenForUserId } from './get-workload-access-token-for-user-id.ts';
import { getResourceOauth2Token } from './get-resource-oauth2-token.ts';
import { getResourceApiKey } from './get-resource-api-key.ts';
import { completeResourceTokenAuthOperation } from './complete-resource-token-auth.ts';

/** The identity data plane: one line per operation. */
export const dataOperations: readonly Operation[] = [
  getWorkloadAccessToken,
  getWorkloadAccessTokenForJwt,
  getWorkloadAccessTokenForUserId,
  getResourceOauth2Token,
  getResourceApiKey,
  completeResourceTokenAuthOperation,
] as Operation[];
