import { MandateError } from '@mandate/core';
import type { StoreOps } from '@mandate/storage';
import { collections } from '../model.ts';
import type { IdentityConfig } from '../services.ts';
import { parseArn } from '../arns.ts';
import { DEFAULT_VAULT_ID } from './token-vault-view.ts';

const COLLECTION = { oauth2: collections.oauth2Providers, apikey: collections.apiKeyProviders, workload: collections.workloadIdentities } as const;

/** Tags only attach to resources that exist on this server; anything else is ResourceNotFoundException. */
export async function requireTaggableResource(tx: StoreOps, config: IdentityConfig, arn: string): Promise<void> {
  const target = parseArn(config, arn);
  const exists = target === undefined ? false
    : target.kind === 'vault' ? target.name === DEFAULT_VAULT_ID
    : (await tx.get(COLLECTION[target.kind], target.name)) !== undefined;
  if (!exists) throw new MandateError('not_found', `The resource ${arn} does not exist.`);
}
