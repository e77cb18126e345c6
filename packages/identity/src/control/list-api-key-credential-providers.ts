import { collections, type ApiKeyProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { seconds } from './common.ts';
import { listPage } from '@mandate/edge';
import { listInput } from './schemas/common.ts';

export const listApiKeyCredentialProviders = defineOperation({
  name: 'ListApiKeyCredentialProviders',
  method: 'POST',
  path: '/identities/ListApiKeyCredentialProviders',
  plane: 'control',
  successStatus: 200,
  input: listInput,
  async handler(input, { services }) {
    const page = await listPage<ApiKeyProviderDoc>(services.store, collections.apiKeyProviders, input);
    return {
      credentialProviders: page.items.map(({ doc }) => ({
        name: doc.name,
        credentialProviderArn: doc.credentialProviderArn,
        createdTime: seconds(doc.createdTime),
        lastUpdatedTime: seconds(doc.lastUpdatedTime),
      })),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  },
});
