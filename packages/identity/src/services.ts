import type { EdgeServices, ServiceConfig } from '@mandate/edge';
import type { KeyProvider } from './vault/key-provider.ts';

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
