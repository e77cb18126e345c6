import { validationError } from '@mandate/core';
import { StoreConflictError } from '@mandate/storage';
import { collections, type ApiKeyProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { API_KEY_JSON_KEY } from './api-key-view.ts';
import { apiKeyProviderArn, secretArn } from '../arns.ts';
import { alreadyExists, writeTags } from './common.ts';
import { createApiKeyInput } from './schemas/api-key.ts';
import { requireManagedSecret } from './secret-source.ts';

export const createApiKeyCredentialProvider = defineOperation({
  name: 'CreateApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/CreateApiKeyCredentialProvider',
  plane: 'control',
  successStatus: 201,
  input: createApiKeyInput,
  async handler(input, { services }) {
    requireManagedSecret(input.apiKeySecretSource, input.apiKeySecretConfig, 'apiKey', 'apiKeySecretConfig', 'apiKeySecretSource');
    if (input.apiKey === undefined) throw validationError("1 validation error detected: Value at 'apiKey' failed to satisfy constraint: Member must not be null", [{ name: 'apiKey', message: 'Member must not be null' }]);
    const now = services.clock.now();
    const doc: ApiKeyProviderDoc = {
      name: input.name,
      credentialProviderArn: apiKeyProviderArn(services.config, input.name),
      apiKey: await services.secrets.seal(input.apiKey, { kind: 'api-key', provider: input.name }),
      apiKeySecretSource: 'MANAGED',
      apiKeySecretArn: secretArn(services.config, 'apikey', input.name),
      createdTime: now,
      lastUpdatedTime: now,
    };
    try {
      await services.store.transaction(async (tx) => {
        await tx.insert(collections.apiKeyProviders, doc.name, doc);
        await writeTags(tx, doc.credentialProviderArn, input.tags);
      });
    } catch (err) {
      if (err instanceof StoreConflictError) throw alreadyExists('API key credential provider', input.name);
      throw err;
    }
    return {
      apiKeySecretArn: { secretArn: doc.apiKeySecretArn },
      name: doc.name,
      credentialProviderArn: doc.credentialProviderArn,
      apiKeySecretJsonKey: API_KEY_JSON_KEY,
      apiKeySecretSource: doc.apiKeySecretSource,
    };
  },
});
