import type { SealedSecret } from '@mandate/core';

/** The store collection of Mandate-issued access keys (id = access key id). */
export const ACCESS_KEYS = 'access_keys';

export interface AccessKeyDoc {
  accessKeyId: string;
  /** The secret is needed in clear to verify SigV4 HMACs, so it is sealed, never hashed. */
  secret: SealedSecret;
  role: 'admin' | 'workload';
  workloadName?: string;
  allowUserIdTokens: boolean;
  description?: string;
  status: 'Active' | 'Revoked';
  createdTime: number;
  lastUsedTime?: number;
}
