import type { EdgeServices, ServiceConfig } from '@mandate/edge';

/**
 * The services of the identity planes: the edge's (store, secrets, authenticator, clock, logger) plus
 * what only identity needs. Each part is implemented in its own folder:
 *   vault/     the SecretBox (envelope encryption, master-key provider, rotation) and the token rows
 *   control/   control-plane operations (providers, workload identities, token vault, tags)
 *   data/      data-plane operations (workload access tokens, OAuth2 flows, API keys)
 *   browser/   the pages a person's browser reaches during consent
 */
export interface IdentityConfig extends ServiceConfig {
  /** Base URL used for Entra (MicrosoftOauth2) authorities; default https://login.microsoftonline.com. */
  entraAuthorityBase: string;
  /** Token-endpoint request timeout in ms (default PROVIDER_TIMEOUT_MS, 10 s). */
  providerTimeoutMs?: number;
}

export interface IdentityServices extends EdgeServices {
  config: IdentityConfig;
  /** Outbound HTTP (to providers); injected so tests and SSRF guards can wrap it. */
  fetch: typeof globalThis.fetch;
  /** The master-key provider behind `secrets`; GetTokenVault/SetTokenVaultCMK report and check it. */
  keyProvider?: KeyProvider;
}

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
