import { z } from 'zod';
import { resourceName, secretConfig, secretSource, secretValue, tagMap } from './common.ts';

export const createApiKeyInput = z.object({
  name: resourceName,
  apiKey: secretValue.optional(),
  apiKeySecretConfig: secretConfig.optional(),
  apiKeySecretSource: secretSource.optional(),
  tags: tagMap.optional(),
});

export const updateApiKeyInput = z.object({
  name: resourceName,
  apiKey: secretValue.optional(),
  apiKeySecretConfig: secretConfig.optional(),
  apiKeySecretSource: secretSource.optional(),
});
