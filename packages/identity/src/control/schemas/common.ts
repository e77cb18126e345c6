import { z } from 'zod';

/** Resource names: AWS documents `[a-zA-Z0-9\-_]+`, length 1..128 (credential providers and workload identities). */
export const NAME_PATTERN = /^[a-zA-Z0-9\-_]+$/;

export const resourceName = z.string().min(1).max(128).regex(NAME_PATTERN, {
  error: 'Member must satisfy regular expression pattern: [a-zA-Z0-9\\-_]+',
});

/** AWS tag rules: keys 1..128, values 0..256, at most 50 tags. */
export const tagKey = z.string().min(1).max(128).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, {
  error: 'Member must satisfy regular expression pattern: ^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$',
});
export const tagValue = z.string().max(256).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, {
  error: 'Member must satisfy regular expression pattern: ^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$',
});
export const tagMap = z.record(tagKey, tagValue).refine((t) => Object.keys(t).length <= 50, {
  error: 'Member must have length less than or equal to 50',
});

export const pagination = {
  nextToken: z.string().min(1).max(2048).optional(),
  maxResults: z.number().int().min(1).max(100).optional(),
};

export const secretConfig = z.object({
  secretId: z.string().min(1).max(2048),
  jsonKey: z.string().min(1).max(2048),
});

export const secretSource = z.enum(['MANAGED', 'EXTERNAL']);

/** Credential values (client secrets, API keys): AWS caps them at 2048 characters. */
export const secretValue = z.string().min(1).max(2048);

export const httpsUrl = z.string().min(1).max(2048).refine((s) => URL.canParse(s), { error: 'Member must be an absolute URL' });

export const nameOnlyInput = z.object({ name: resourceName });

export const listInput = z.object(pagination);
