import type { ApiKeyProviderDoc } from '../model.ts';
import { seconds } from './common.ts';

/** AWS's JSON key for the API key inside its managed secret. */
export const API_KEY_JSON_KEY = 'api_key_value';

/** The stored provider as the API reports it; the key itself is never included. */
export function apiKeyProviderView(d: ApiKeyProviderDoc) {
  return {
    apiKeySecretArn: { secretArn: d.apiKeySecretArn },
    name: d.name,
    credentialProviderArn: d.credentialProviderArn,
    apiKeySecretJsonKey: API_KEY_JSON_KEY,
    apiKeySecretSource: d.apiKeySecretSource,
    createdTime: seconds(d.createdTime),
    lastUpdatedTime: seconds(d.lastUpdatedTime),
  };
}
