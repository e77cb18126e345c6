import { MandateError } from '@mandate/core';
import { collections, type ApiKeyProviderDoc } from '../model.ts';
import type { IdentityServices } from '../services.ts';

/** The SecretBox context the control plane seals an API key under. */
export function apiKeyContext(providerName: string): Record<string, string> {
  return { kind: 'api-key', provider: providerName };
}

export async function readApiKey(services: IdentityServices, providerName: string): Promise<string> {
  const rec = await services.store.get<ApiKeyProviderDoc>(collections.apiKeyProviders, providerName);
  if (!rec) throw new MandateError('not_found', `API key credential provider ${providerName} does not exist.`);
  if (!rec.doc.apiKey) throw new MandateError('validation', `API key credential provider ${providerName} has no managed API key.`);
  const key = await services.secrets.open(rec.doc.apiKey, apiKeyContext(providerName));
  if (!key) throw new MandateError('validation', `API key credential provider ${providerName} has an empty API key.`);
  return key;
}
