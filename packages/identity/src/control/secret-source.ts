import { validationError } from '@mandate/core';

/**
 * Mandate keeps every credential in its own vault. `EXTERNAL` secrets (clientSecretConfig /
 * apiKeySecretConfig pointing into AWS Secrets Manager) cannot be read here, so they are refused
 * up front rather than accepted and failing later at token time.
 */
export function requireManagedSecret(source: string | undefined, config: unknown, field: string, configField: string, sourceField: string): void {
  if (source === 'EXTERNAL' || config !== undefined) {
    throw validationError(`${sourceField} EXTERNAL (${configField}) is not supported by Mandate: there is no AWS Secrets Manager to read it from. Pass ${field} instead; Mandate encrypts it in its own vault.`, [
      { name: source === 'EXTERNAL' ? sourceField : configField, message: 'Member must not be set: external secrets are not supported' },
    ]);
  }
}
