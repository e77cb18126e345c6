import { uuid } from '@mandate/core';
import { StoreConflictError } from '@mandate/storage';
import { collections, type Oauth2ProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { oauth2ProviderArn, secretArn } from '../arns.ts';
import { alreadyExists, writeTags } from './common.ts';
import { resolveOauth2Config } from './oauth2-config.ts';
import { oauth2ProviderView } from './oauth2-view.ts';
import { createOauth2Input } from './schemas/oauth2.ts';

export const createOauth2CredentialProvider = defineOperation({
  name: 'CreateOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/CreateOauth2CredentialProvider',
  plane: 'control',
  successStatus: 201,
  input: createOauth2Input,
  async handler(input, { services }) {
    const { config, store } = services;
    // Cheap duplicate check first so a taken name does not cost a discovery fetch; insert() re-checks atomically.
    if (await store.get(collections.oauth2Providers, input.name)) throw alreadyExists('OAuth2 credential provider', input.name);
    const resolved = await resolveOauth2Config(services, input.credentialProviderVendor, input.oauth2ProviderConfigInput);
    const now = services.clock.now();
    const doc: Oauth2ProviderDoc = {
      name: input.name,
      credentialProviderArn: oauth2ProviderArn(config, input.name),
      vendor: input.credentialProviderVendor,
      configMember: resolved.configMember,
      clientSecretSource: 'MANAGED',
      clientSecretArn: secretArn(config, 'oauth2', input.name),
      endpoints: resolved.endpoints,
      configOutput: resolved.configOutput,
      quirks: resolved.quirks,
      callbackId: uuid(),
      status: 'READY',
      createdTime: now,
      lastUpdatedTime: now,
    };
    if (resolved.clientId !== undefined) doc.clientId = resolved.clientId;
    if (resolved.clientSecret !== undefined) doc.clientSecret = await services.secrets.seal(resolved.clientSecret, { kind: 'oauth2-client-secret', provider: input.name });
    if (resolved.clientAuthenticationMethod) doc.clientAuthenticationMethod = resolved.clientAuthenticationMethod;
    if (resolved.tenantId !== undefined) doc.tenantId = resolved.tenantId;
    if (resolved.onBehalfOfTokenExchangeConfig) doc.onBehalfOfTokenExchangeConfig = resolved.onBehalfOfTokenExchangeConfig;
    try {
      await store.transaction(async (tx) => {
        await tx.insert(collections.oauth2Providers, doc.name, doc);
        await tx.insert(collections.oauth2Callbacks, doc.callbackId, { providerName: doc.name });
        await writeTags(tx, doc.credentialProviderArn, input.tags);
      });
    } catch (err) {
      if (err instanceof StoreConflictError && err.collection === collections.oauth2Providers) throw alreadyExists('OAuth2 credential provider', input.name);
      throw err;
    }
    const view = oauth2ProviderView(config, doc);
    return {
      clientSecretArn: view.clientSecretArn,
      name: view.name,
      credentialProviderArn: view.credentialProviderArn,
      clientSecretJsonKey: view.clientSecretJsonKey,
      clientSecretSource: view.clientSecretSource,
      callbackUrl: view.callbackUrl,
      oauth2ProviderConfigOutput: view.oauth2ProviderConfigOutput,
      status: view.status,
    };
  },
});
