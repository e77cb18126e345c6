import { MandateError } from '@mandate/core';
import type { StoreOps } from '@mandate/storage';
import { collections, type TokenVaultDoc } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { kmsConfigurationOf, type KmsConfiguration } from '../vault/key-configuration.ts';
import { seconds } from './common.ts';

/** Mandate has one token vault, `default`, as AgentCore does today. */
export const DEFAULT_VAULT_ID = 'default';

export function requireDefaultVault(id: string | undefined): string {
  const vaultId = id ?? DEFAULT_VAULT_ID;
  if (vaultId !== DEFAULT_VAULT_ID) throw new MandateError('not_found', `The token vault ${vaultId} does not exist. Mandate has one token vault, ${DEFAULT_VAULT_ID}.`);
  return vaultId;
}

/**
 * The key configuration actually protecting the vault: the key provider's (vault/key-configuration.ts).
 * Without one, the vault is treated as service-managed, so a CMK request fails closed.
 */
export function actualKmsConfiguration(services: IdentityServices): KmsConfiguration {
  return services.keyProvider ? kmsConfigurationOf(services.keyProvider) : { keyType: 'ServiceManagedKey' };
}

/** The default vault exists from the start; its document is written on first use so lastModifiedDate is stable. */
export async function loadOrCreateVault(tx: StoreOps, vaultId: string, kms: KmsConfiguration, now: number): Promise<{ doc: TokenVaultDoc; version: number }> {
  const rec = await tx.get<TokenVaultDoc>(collections.tokenVaults, vaultId);
  if (rec) return { doc: rec.doc, version: rec.version };
  const doc: TokenVaultDoc = { tokenVaultId: vaultId, kmsConfiguration: kms, lastModifiedDate: now };
  const created = await tx.insert(collections.tokenVaults, vaultId, doc);
  return { doc, version: created.version };
}

export function tokenVaultView(d: TokenVaultDoc, kms: KmsConfiguration) {
  return { tokenVaultId: d.tokenVaultId, kmsConfiguration: kms, lastModifiedDate: seconds(d.lastModifiedDate) };
}
