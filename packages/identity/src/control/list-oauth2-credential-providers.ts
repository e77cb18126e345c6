import { collections, type Oauth2ProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { seconds } from './common.ts';
import { listPage } from '@mandate/edge';
import { listInput } from './schemas/common.ts';

export const listOauth2CredentialProviders = defineOperation({
  name: 'ListOauth2CredentialProviders',
  method: 'POST',
  path: '/identities/ListOauth2CredentialProviders',
  plane: 'control',
  successStatus: 200,
  input: listInput,
  async handler(input, { services }) {
    const page = await listPage<Oauth2ProviderDoc>(services.store, collections.oauth2Providers, input);
    return {
      credentialProviders: page.items.map(({ doc }) => ({
        name: doc.name,
        credentialProviderVendor: doc.vendor,
        credentialProviderArn: doc.credentialProviderArn,
        createdTime: seconds(doc.createdTime),
        lastUpdatedTime: seconds(doc.lastUpdatedTime),
      })),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  },
});
