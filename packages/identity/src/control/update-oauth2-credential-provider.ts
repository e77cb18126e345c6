import { MandateError } from '@mandate/core';
import { collections, type Oauth2ProviderDoc } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { docChanged } from '@mandate/edge';
import { notFound } from './common.ts';
import { resolveOauth2Config } from './oauth2-config.ts';
import { oauth2ProviderView } from './oauth2-view.ts';
import { updateOauth2Input } from './schemas/oauth2.ts';

export const updateOauth2CredentialProvider = defineOperation({
  name: 'UpdateOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/UpdateOauth2CredentialProvider',
  plane: 'control',
  successStatus: 200,
  input: updateOauth2Input,
  async handler(input, { services }) {
    const existing = await services.store.get<Oauth2ProviderDoc>(collections.oauth2Providers, input.name);
    if (!existing) throw notFound('OAuth2 credential provider', input.name);
    // Discovery and sealing happen outside the transaction (network, key provider); the CAS below
    // makes sure nothing changed in between.
    const resolved = await resolveOauth2Config(services, input.credentialProviderVendor, input.oauth2ProviderConfigInput, { hasStoredSecret: existing.doc.clientSecret !== undefined });
    const sealed = resolved.clientSecret === undefined ? undefined : await services.secrets.seal(resolved.clientSecret, { kind: 'oauth2-client-secret', provider: input.name });
    const doc = await services.store.transaction(async (tx) => {
      const rec = await tx.get<Oauth2ProviderDoc>(collections.oauth2Providers, input.name);
      if (!rec) throw notFound('OAuth2 credential provider', input.name);
      if (rec.version !== existing.version) throw new MandateError('conflict', `The OAuth2 credential provider ${input.name} was changed by another request. Retry the call.`);
      // Full replacement of the configuration (reference §3.1). Identity fields (ARNs, callback id,
      // creation time) stay; an omitted clientSecret keeps the stored one, since it cannot be read back.
      const next: Oauth2ProviderDoc = {
        name: rec.doc.name,
        credentialProviderArn: rec.doc.credentialProviderArn,
        vendor: input.credentialProviderVendor,
        configMember: resolved.configMember,
        clientSecretSource: 'MANAGED',
        clientSecretArn: rec.doc.clientSecretArn,
        endpoints: resolved.endpoints,
        configOutput: resolved.configOutput,
        quirks: resolved.quirks,
        callbackId: rec.doc.callbackId,
        status: 'READY',
        createdTime: rec.doc.createdTime,
        lastUpdatedTime: services.clock.now(),
      };
      const secret = sealed ?? rec.doc.clientSecret;
      if (secret) next.clientSecret = secret;
      if (resolved.clientId !== undefined) next.clientId = resolved.clientId;
      if (resolved.clientAuthenticationMethod) next.clientAuthenticationMethod = resolved.clientAuthenticationMethod;
      if (resolved.tenantId !== undefined) next.tenantId = resolved.tenantId;
      if (resolved.onBehalfOfTokenExchangeConfig) next.onBehalfOfTokenExchangeConfig = resolved.onBehalfOfTokenExchangeConfig;
      if (!(await tx.update(collections.oauth2Providers, input.name, next, rec.version))) {
        throw new MandateError('conflict', `The OAuth2 credential provider ${input.name} was changed by another request. Retry the call.`);
      }
      return next;
    });
    await docChanged(services, collections.oauth2Providers, input.name);
    return oauth2ProviderView(services.config, doc);
  },
});
