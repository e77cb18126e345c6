import type { Clock, Logger } from '@mandate/core';
import type { Store } from '@mandate/storage';
import type { IncomingMessage } from 'node:http';
import type { KeyProvider } from './vault/key-provider.ts';

/**
 * The seams between the parts of the identity service. Each is implemented in its own folder:
 *   vault/   SecretBox (envelope encryption, master-key provider, rotation)
 *   auth/    RequestAuthenticator (SigV4 against Mandate-issued access keys)
 *   control/ control-plane operations (providers, workload identities, token vault, tags)
 *   data/    data-plane operations (workload access tokens, OAuth2 flows, API keys)
 */

/** An encrypted value as stored. Opaque outside vault/. */
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

/** Who signed a request. */
export interface CallerIdentity {
  accessKeyId: string;
  /** `admin` keys may call every operation of both planes; `workload` keys only the data plane, for their workload. */
  role: 'admin' | 'workload';
  /** Set for `workload` keys. */
  workloadName?: string;
  /** May this caller mint workload access tokens for an arbitrary user id (GetWorkloadAccessTokenForUserId)? */
  allowUserIdTokens: boolean;
}

export interface RequestAuthenticator {
  /** Verifies the SigV4 signature of a request whose body has already been read. Throws a MandateError. */
  authenticate(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): Promise<CallerIdentity>;
}

export interface IdentityConfig {
  /** Public base URL of this Mandate server (no trailing slash); callback and authorize URLs hang off it. */
  publicUrl: string;
  region: string;
  accountId: string;
  /** Base URL used for Entra (MicrosoftOauth2) authorities; default https://login.microsoftonline.com. */
  entraAuthorityBase: string;
  /** Dev mode relaxes https-only rules for loopback URLs. */
  devMode: boolean;
  /** Token-endpoint request timeout in ms (default PROVIDER_TIMEOUT_MS, 10 s). */
  providerTimeoutMs?: number;
}

export interface IdentityServices {
  store: Store;
  secrets: SecretBox;
  authenticator: RequestAuthenticator;
  config: IdentityConfig;
  clock: Clock;
  logger: Logger;
  /** Outbound HTTP (to providers); injected so tests and SSRF guards can wrap it. */
  fetch: typeof globalThis.fetch;
  /** The master-key provider behind `secrets`; GetTokenVault/SetTokenVaultCMK report and check it. */
  keyProvider?: KeyProvider;
}
