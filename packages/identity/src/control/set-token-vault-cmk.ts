import { MandateError, validationError } from '@mandate/core';
import { collections, type TokenVaultDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { setTokenVaultCmkInput } from './schemas/token-vault.ts';
import { actualKmsConfiguration, loadOrCreateVault, requireDefaultVault, tokenVaultView } from './token-vault-view.ts';

/**
 * Mandate encrypts the vault with its configured key provider (vault/). SetTokenVaultCMK therefore
 * succeeds only when the requested configuration is the one in force (it then records it and bumps
 * lastModifiedDate); asking for a key this deployment does not have is refused rather than silently
 * recorded, because a stored-but-unused CMK would mislead the operator about what protects the tokens.
 */
export const setTokenVaultCmk = defineOperation({
  name: 'SetTokenVaultCMK',
  method: 'POST',
  path: '/identities/set-token-vault-cmk',
  plane: 'control',
  successStatus: 200,
  input: setTokenVaultCmkInput,
  async handler(input, { services }) {
    const { keyType, kmsKeyArn } = input.kmsConfiguration;
    if (keyType === 'CustomerManagedKey' && kmsKeyArn === undefined) {
      throw validationError('kmsConfiguration.kmsKeyArn is required when keyType is CustomerManagedKey.', [{ name: 'kmsConfiguration.kmsKeyArn', message: 'Member must not be null' }]);
    }
    if (keyType === 'ServiceManagedKey' && kmsKeyArn !== undefined) {
      throw validationError('kmsConfiguration.kmsKeyArn must not be set when keyType is ServiceManagedKey.', [{ name: 'kmsConfiguration.kmsKeyArn', message: 'Member must be null for ServiceManagedKey' }]);
    }
    const vaultId = requireDefaultVault(input.tokenVaultId);
    const kms = actualKmsConfiguration(services);
    if (kms.keyType !== keyType || kms.kmsKeyArn !== kmsKeyArn) {
      const why = keyType === 'CustomerManagedKey'
        ? `The KMS key ${kmsKeyArn} is not available to this Mandate deployment; it encrypts the token vault with ${kms.keyType === 'CustomerManagedKey' ? kms.kmsKeyArn : 'its service managed (local) master key'}. Change the key provider in the server configuration instead.`
        : 'This Mandate deployment encrypts the token vault with a customer managed key; change the key provider in the server configuration to use the service managed key.';
      throw validationError(why, [{ name: keyType === 'CustomerManagedKey' ? 'kmsConfiguration.kmsKeyArn' : 'kmsConfiguration.keyType', message: 'Member is not available on this deployment' }]);
    }
    const doc = await services.store.transaction(async (tx) => {
      const cur = await loadOrCreateVault(tx, vaultId, kms, services.clock.now());
      const next: TokenVaultDoc = { tokenVaultId: vaultId, kmsConfiguration: kms, lastModifiedDate: services.clock.now() };
      if (!(await tx.update(collections.tokenVaults, vaultId, next, cur.version))) {
        throw new MandateError('concurrent_modification', `The token vault ${vaultId} was changed by another request. Retry the call.`);
      }
      return next;
    });
    return tokenVaultView(doc, kms);
  },
});
