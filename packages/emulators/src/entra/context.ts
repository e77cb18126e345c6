import type { Clock, Logger } from '@mandate/core';
import type { EntraDirectory } from './directory.ts';
import type { GrantStore } from './grant-store.ts';
import type { TokenContext } from './tokens.ts';
import type { UrlConfig } from './urls.ts';

/** Everything a request handler needs; built once by startEntraEmulator. */
export interface EntraContext {
  directory: EntraDirectory;
  store: GrantStore;
  tokens: TokenContext;
  urls: UrlConfig;
  clock: Clock;
  logger: Logger;
  /** Auto-login (by `login_hint`) and auto-consent without pages. */
  headless: boolean;
  /** Device-code polling interval in seconds (Entra: 5). */
  deviceInterval: number;
}
