import { defineOperation } from '../operation.ts';
import { getTokenVaultInput } from './schemas/token-vault.ts';
import { actualKmsConfiguration, loadOrCreateVault, requireDefaultVault, tokenVaultView } from './token-vault-view.ts';

export const getTokenVault = defineOperation({
  name: 'GetTokenVault',
  method: 'POST',
  path: '/identities/get-token-vault',
  plane: 'control',
  successStatus: 200,
  input: getTokenVaultInput,
  async handler(input, { services }) {
    const vaultId = requireDefaultVault(input.tokenVaultId);
    const kms = actualKmsConfiguration(services);
    const { doc } = await services.store.transaction((tx) => loadOrCreateVault(tx, vaultId, kms, services.clock.now()));
    // Report what really protects the vault (the key provider), not merely what was last requested.
    return tokenVaultView(doc, kms);
  },
});
