/**
 * The key-encryption-key (master key) seam, shaped like a cloud KMS so AWS KMS, Azure Key Vault or
 * Vault transit can be added later as one more implementation: data keys are wrapped and unwrapped
 * under a named master key version, with an encryption context bound as associated data.
 */
export interface WrappedKey {
  /** base64url of the wrapped data key (opaque to callers). */
  wrapped: string;
  /** The master key version that wrapped it; recorded on the data-key row so rotation can resume. */
  masterKeyId: string;
}

export interface KeyProvider {
  /** A stable description of where master keys live, e.g. `local-file`, `local-env`, `aws-kms`. */
  readonly kind: string;
  /** Wraps a data key under the current master key version. */
  wrapKey(dek: Uint8Array, context: Record<string, string>): Promise<WrappedKey>;
  /** Throws MandateError('decryption_failure') for an unknown or retired key id, a wrong key, or a wrong context. */
  unwrapKey(wrapped: string, masterKeyId: string, context: Record<string, string>): Promise<Buffer>;
  /** The master key version new data keys are wrapped under. */
  currentKeyId(): Promise<string>;
  /** Every version that can still unwrap (current first). */
  activeKeyIds(): Promise<string[]>;
}

/** Providers that can create and retire master key versions themselves (the local ring; KMS rotates on its own). */
export interface RotatableKeyProvider extends KeyProvider {
  /** Adds a new master key version and makes it current; returns its id. */
  addKeyVersion(): Promise<string>;
  /** Destroys the key material of a non-current version; it can no longer unwrap anything. */
  retireKey(masterKeyId: string): Promise<void>;
}

export function isRotatable(p: KeyProvider): p is RotatableKeyProvider {
  return typeof (p as Partial<RotatableKeyProvider>).addKeyVersion === 'function' && typeof (p as Partial<RotatableKeyProvider>).retireKey === 'function';
}

/** The encryption context every data key is wrapped with. */
export function dataKeyContext(dataKeyId: string): Record<string, string> {
  return { purpose: 'mandate-data-key', dataKeyId };
}
