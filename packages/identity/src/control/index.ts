import type { Operation } from '../operation.ts';
import { createApiKeyCredentialProvider } from './create-api-key-credential-provider.ts';
import { createOauth2CredentialProvider } from './create-oauth2-credential-provider.ts';
import { createWorkloadIdentity } from './create-workload-identity.ts';
import { deleteApiKeyCredentialProvider } from './delete-api-key-credential-provider.ts';
import { deleteOauth2CredentialProvider } from './delete-oauth2-credential-provider.ts';
import { deleteWorkloadIdentity } from './delete-workload-identity.ts';
import { getApiKeyCredentialProvider } from './get-api-key-credential-provider.ts';
import { getOauth2CredentialProvider } from './get-oauth2-credential-provider.ts';
import { getTokenVault } from './get-token-vault.ts';
import { getWorkloadIdentity } from './get-workload-identity.ts';
import { listApiKeyCredentialProviders } from './list-api-key-credential-providers.ts';
import { listOauth2CredentialProviders } from './list-oauth2-credential-providers.ts';
import { listTagsForResource } from './list-tags-for-resource.ts';
import { listWorkloadIdentities } from './list-workload-identities.ts';
import { setTokenVaultCmk } from './set-token-vault-cmk.ts';
import { tagResource } from './tag-resource.ts';
import { untagResource } from './untag-resource.ts';
import { updateApiKeyCredentialProvider } from './update-api-key-credential-provider.ts';
import { updateOauth2CredentialProvider } from './update-oauth2-credential-provider.ts';
import { updateWorkloadIdentity } from './update-workload-identity.ts';

/**
 * Every control-plane operation; server.ts registers them. Adding one = a file + a line here.
 * (The cast erases each operation's own input type, which the adapter validates before calling it.)
 */
export const controlOperations: readonly Operation[] = [
  createOauth2CredentialProvider, getOauth2CredentialProvider, listOauth2CredentialProviders, updateOauth2CredentialProvider, deleteOauth2CredentialProvider,
  createApiKeyCredentialProvider, getApiKeyCredentialProvider, listApiKeyCredentialProviders, updateApiKeyCredentialProvider, deleteApiKeyCredentialProvider,
  createWorkloadIdentity, getWorkloadIdentity, listWorkloadIdentities, updateWorkloadIdentity, deleteWorkloadIdentity,
  getTokenVault, setTokenVaultCmk,
  tagResource, untagResource, listTagsForResource,
] as unknown as readonly Operation[];
