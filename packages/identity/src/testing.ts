// Identity's internals that tests and benchmarks in other packages reach to set up state or attack it
// directly (planting a vault row, forging a session, calling an operation without HTTP). Production
// code imports the package root (index.ts) only; the import-rule check keeps it so.
export { collections, type WorkloadIdentityDoc } from './model.ts';
export type { Operation } from './operation.ts';
export { controlOperations } from './control/index.ts';
export { dataOperations } from './data/index.ts';
export type { ProviderClient } from './flows/provider-client.ts';
export { missingScopes } from './flows/scopes.ts';
export type { InboundJwtConfigInput } from './inbound-jwt/index.ts';
export { sealPending, type AuthSessionDoc } from './sessions/sessions.ts';
export { countDataKeysByMasterKey } from './vault/data-key.ts';
export { readVault, sealVaultDoc, vaultId, writeVault, type VaultKey, type VaultTokenDoc } from './vault/tokens.ts';
export { mintWorkloadAccessToken, verifyWorkloadAccessToken } from './workload/token.ts';
