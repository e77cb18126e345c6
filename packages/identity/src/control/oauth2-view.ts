import type { Oauth2ProviderDoc } from '../model.ts';
import type { IdentityConfig } from '../services.ts';
import { seconds } from './common.ts';

/** AWS's JSON key for the client secret inside its managed secret. */
export const CLIENT_SECRET_JSON_KEY = 'client_secret';

export const callbackUrl = (c: IdentityConfig, callbackId: string) => `${c.publicUrl}/identities/oauth2/callback/${callbackId}`;

/** The stored provider as Get/Update report it. The client secret is never included (reference §3.3). */
export function oauth2ProviderView(c: IdentityConfig, d: Oauth2ProviderDoc) {
  return {
    clientSecretArn: { secretArn: d.clientSecretArn },
    name: d.name,
    credentialProviderVendor: d.vendor,
    credentialProviderArn: d.credentialProviderArn,
    oauth2ProviderConfigOutput: { [d.configMember]: d.configOutput },
    clientSecretJsonKey: CLIENT_SECRET_JSON_KEY,
    clientSecretSource: d.clientSecretSource,
    callbackUrl: callbackUrl(c, d.callbackId),
    status: d.status,
    createdTime: seconds(d.createdTime),
    lastUpdatedTime: seconds(d.lastUpdatedTime),
  };
}
