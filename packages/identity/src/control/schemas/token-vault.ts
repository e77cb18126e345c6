import { z } from 'zod';

export const tokenVaultId = z.string().min(1).max(64).regex(/^[a-zA-Z0-9\-_]+$/, {
  error: 'Member must satisfy regular expression pattern: [a-zA-Z0-9\\-_]+',
});

export const getTokenVaultInput = z.object({ tokenVaultId: tokenVaultId.optional() });

export const kmsConfiguration = z.object({
  keyType: z.enum(['ServiceManagedKey', 'CustomerManagedKey']),
  kmsKeyArn: z.string().min(1).max(2048).regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/, {
    error: 'Member must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
  }).optional(),
});

export const setTokenVaultCmkInput = z.object({
  tokenVaultId: tokenVaultId.optional(),
  kmsConfiguration,
});
