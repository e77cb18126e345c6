import { MandateError } from '@mandate/core';
import { collections, type ApiKeyProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { apiKeyProviderView } from './api-key-view.ts';
import { notFound } from './common.ts';
import { updateApiKeyInput } from './schemas/api-key.ts';
import { requireManagedSecret } from './secret-source.ts';

export const updateApiKeyCredentialProvider = defineOperation({
  name: 'UpdateApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/UpdateApiKeyCredentialProvider',
  plane: 'control',
  successStatus: 200,
  input: updateApiKeyInput,
  async handler(input, { services }) {
    requireManagedSecret(input.apiKeySecretSource, input.apiKeySecretConfig, 'apiKey', 'apiKeySecretConfig', 'apiKeySecretSource');
    if (!(await services.store.get(collections.apiKeyProviders, input.name))) throw notFound('API key credential provider', input.name);
    // Seal before the transaction: encryption may call out to the key provider.
    const sealed = input.apiKey === undefined ? undefined : await services.secrets.seal(input.apiKey, { kind: 'api-key', provider: input.name });
    const doc = await services.store.transaction(async (tx) => {
      const rec = await tx.get<ApiKeyProviderDoc>(collections.apiKeyProviders, input.name);
      if (!rec) throw notFound('API key credential provider', input.name);
      // An omitted apiKey keeps the stored one: it cannot be read back, so callers could not resend it.
      const next: ApiKeyProviderDoc = { ...rec.doc, ...(sealed ? { apiKey: sealed } : {}), lastUpdatedTime: services.clock.now() };
      if (!(await tx.update(collections.apiKeyProviders, input.name, next, rec.version))) {
        throw new MandateError('conflict', `The API key credential provider ${input.name} was changed by another request. Retry the call.`);
      }
      return next;
    });
    return apiKeyProviderView(doc);
  },
});
