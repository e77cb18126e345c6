/**
 * The port every part that keeps secrets at rest seals them through (access keys, client secrets, vault
 * tokens). Implemented by identity's vault (envelope encryption under a master key); declared here, with
 * no I/O, so the edge and the runtime can depend on the port without depending on the vault.
 */

/** An encrypted value as stored. Opaque outside the vault. */
export interface SealedSecret {
  /** Format version. */
  v: 1;
  /** Id of the data key (DEK) that encrypted it; the DEK is itself wrapped by the master key. */
  kid: string;
  /** base64url 96-bit IV. */
  iv: string;
  /** base64url ciphertext. */
  ct: string;
  /** base64url 128-bit GCM tag. */
  tag: string;
}

/**
 * Encrypts secrets at rest. `context` is the row the secret belongs to (e.g. `{ kind: 'oauth2-token',
 * workload, user, provider }`): it is bound as AES-GCM associated data, so a ciphertext moved to
 * another row, or a row whose context was edited, fails to open.
 */
export interface SecretBox {
  seal(plaintext: string, context: Record<string, string>): Promise<SealedSecret>;
  /** Throws MandateError('decryption_failure') when the ciphertext, tag, context or key is wrong. */
  open(sealed: SealedSecret, context: Record<string, string>): Promise<string>;
}
