import { collections, type ApiKeyProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { apiKeyProviderView } from './api-key-view.ts';
import { notFound } from './common.ts';
import { nameOnlyInput } from './schemas/common.ts';

export const getApiKeyCredentialProvider = defineOperation({
  name: 'GetApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/GetApiKeyCredentialProvider',
  plane: 'control',
  successStatus: 200,
  input: nameOnlyInput,
  async handler(input, { services }) {
    const rec = await services.store.get<ApiKeyProviderDoc>(collections.apiKeyProviders, input.name);
    if (!rec) throw notFound('API key credential provider', input.name);
    return apiKeyProviderView(rec.doc);
  },
});
