import { collections, type ApiKeyProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { deleteTags, notFound } from './common.ts';
import { nameOnlyInput } from './schemas/common.ts';

export const deleteApiKeyCredentialProvider = defineOperation({
  name: 'DeleteApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/DeleteApiKeyCredentialProvider',
  plane: 'control',
  successStatus: 204,
  input: nameOnlyInput,
  async handler(input, { services }) {
    await services.store.transaction(async (tx) => {
      const rec = await tx.get<ApiKeyProviderDoc>(collections.apiKeyProviders, input.name);
      if (!rec) throw notFound('API key credential provider', input.name);
      await tx.delete(collections.apiKeyProviders, input.name, rec.version);
      await deleteTags(tx, rec.doc.credentialProviderArn);
    });
    return undefined;
  },
});
