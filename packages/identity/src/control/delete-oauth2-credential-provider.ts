import { collections, type Oauth2ProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { docChanged } from '@mandate/edge';
import { deleteTags, notFound } from './common.ts';
import { nameOnlyInput } from './schemas/common.ts';

export const deleteOauth2CredentialProvider = defineOperation({
  name: 'DeleteOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/DeleteOauth2CredentialProvider',
  plane: 'control',
  successStatus: 204,
  input: nameOnlyInput,
  async handler(input, { services }) {
    await services.store.transaction(async (tx) => {
      const rec = await tx.get<Oauth2ProviderDoc>(collections.oauth2Providers, input.name);
      if (!rec) throw notFound('OAuth2 credential provider', input.name);
      await tx.delete(collections.oauth2Providers, input.name, rec.version);
      await tx.delete(collections.oauth2Callbacks, rec.doc.callbackId);
      await deleteTags(tx, rec.doc.credentialProviderArn);
    });
    await docChanged(services, collections.oauth2Providers, input.name);
    return undefined;
  },
});
