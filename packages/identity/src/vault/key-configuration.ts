import { MandateError } from '@mandate/core';
import type { Store } from '@mandate/storage';
import { countDataKeysByMasterKey } from './data-key.ts';
import type { KeyProvider } from './key-provider.ts';

/**
 * How the AgentCore token-vault key settings map onto Mandate's envelope encryption:
 *   - `ServiceManagedKey` (AWS: an AWS-owned key) = the local master key ring (`${dataDir}/master.key` or
 *     `MANDATE_MASTER_KEY`), i.e. a KeyProvider of kind `local-file` / `local-env`.
 *   - `CustomerManagedKey` + `kmsKeyArn` (AWS: a customer KMS key, captured with the vault ARN in the
 *     encryption context) = a KeyProvider that exposes that `kmsKeyArn` (a cloud KMS adapter). A
 *     deployment without one cannot honour the request, so SetTokenVaultCMK is refused rather than
 *     silently recorded.
 * GetTokenVault returns `kmsConfiguration` from `describeKeyConfiguration`; SetTokenVaultCMK calls
 * `checkKmsConfiguration` before writing the TokenVaultDoc.
 */
export interface KmsConfiguration {
  keyType: 'ServiceManagedKey' | 'CustomerManagedKey';
  kmsKeyArn?: string;
}

export interface KeyConfigurationDescription {
  kmsConfiguration: KmsConfiguration;
  /** `local-file`, `local-env`, or a KMS adapter's kind. */
  provider: string;
  currentMasterKeyId: string;
  /** Versions still able to unwrap, current first. */
  masterKeyIds: string[];
  /** Data keys per master key version (a finished rotation leaves only the current one). */
  dataKeysByMasterKey: Record<string, number>;
}

function providerArn(kp: KeyProvider): string | undefined {
  const arn = (kp as { kmsKeyArn?: unknown }).kmsKeyArn;
  return typeof arn === 'string' ? arn : undefined;
}

export function kmsConfigurationOf(kp: KeyProvider): KmsConfiguration {
  const arn = providerArn(kp);
  return arn === undefined ? { keyType: 'ServiceManagedKey' } : { keyType: 'CustomerManagedKey', kmsKeyArn: arn };
}

export async function describeKeyConfiguration(store: Store, kp: KeyProvider): Promise<KeyConfigurationDescription> {
  return {
    kmsConfiguration: kmsConfigurationOf(kp),
    provider: kp.kind,
    currentMasterKeyId: await kp.currentKeyId(),
    masterKeyIds: await kp.activeKeyIds(),
    dataKeysByMasterKey: await countDataKeysByMasterKey(store),
  };
}

/** Throws a ValidationException unless this deployment's key provider matches the requested configuration. */
export function checkKmsConfiguration(requested: KmsConfiguration, kp: KeyProvider): void {
  const actual = kmsConfigurationOf(kp);
  if (requested.keyType === 'ServiceManagedKey') {
    if (actual.keyType !== 'ServiceManagedKey') {
      throw new MandateError('validation', 'This Mandate deployment encrypts the token vault with a customer managed key; switch the key provider in the server configuration to use the service managed key.', { fieldList: [{ name: 'kmsConfiguration.keyType', message: 'not available' }] });
    }
    return;
  }
  if (requested.kmsKeyArn === undefined || requested.kmsKeyArn === '') {
    throw new MandateError('validation', 'kmsKeyArn is required when keyType is CustomerManagedKey.', { fieldList: [{ name: 'kmsConfiguration.kmsKeyArn', message: 'required' }] });
  }
  if (actual.kmsKeyArn !== requested.kmsKeyArn) {
    throw new MandateError('validation', `The KMS key ${requested.kmsKeyArn} is not available to this Mandate deployment.`, { fieldList: [{ name: 'kmsConfiguration.kmsKeyArn', message: 'not available' }] });
  }
}
