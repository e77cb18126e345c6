import { collections, type Oauth2ProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { notFound } from './common.ts';
import { oauth2ProviderView } from './oauth2-view.ts';
import { nameOnlyInput } from './schemas/common.ts';

export const getOauth2CredentialProvider = defineOperation({
  name: 'GetOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/GetOauth2CredentialProvider',
  plane: 'control',
  successStatus: 200,
  input: nameOnlyInput,
  async handler(input, { services }) {
    const rec = await services.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, input.name);
    if (!rec) throw notFound('OAuth2 credential provider', input.name);
    return oauth2ProviderView(services.config, rec.doc);
  },
});
