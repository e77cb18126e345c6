/**
 * Per-invocation holder of the user's resource token.
 *
 * One instance lives for one invocation (never in module scope), so two sessions served by the same
 * process can never see each other's tokens. The tool asks it for access; the run loop waits on it
 * while the user consents, then resumes the interrupted tool call, which finds the token here.
 */
import type { TokenRequest, TokenSource } from './token.ts';

export type UserAccess = { readonly accessToken: string } | { readonly authorizationUrl: string };

export class UserTokenGate {
  readonly #source: TokenSource;
  readonly #request: TokenRequest;
  #accessToken: string | undefined;
  #inFlight: Promise<UserAccess> | undefined;
  #consent: Promise<string> | undefined;

  constructor(source: TokenSource, request: TokenRequest) {
    this.#source = source;
    this.#request = request;
  }

  /** The token, or the authorization URL the user must open. Parallel tool calls share one request. */
  acquire(): Promise<UserAccess> {
    if (this.#accessToken !== undefined) return Promise.resolve({ accessToken: this.#accessToken });
    this.#inFlight ??= this.#source.obtain(this.#request).then(
      (outcome): UserAccess => {
        if (outcome.kind === 'token') {
          this.#accessToken = outcome.accessToken;
          return { accessToken: outcome.accessToken };
        }
        this.#consent = outcome.accessToken.then((token) => (this.#accessToken = token));
        this.#consent.catch(() => undefined);
        return { authorizationUrl: outcome.authorizationUrl };
      },
      (error: unknown) => {
        this.#inFlight = undefined; // a failed attempt may be retried by a later tool call
        throw error;
      },
    );
    return this.#inFlight;
  }

  /** Resolves when the user has consented and the token was released; rejects if the flow failed. */
  async waitForConsent(): Promise<void> {
    if (this.#consent === undefined) throw new Error('No consent flow is in progress');
    await this.#consent;
  }

  /** The token, if it has been released. */
  get accessToken(): string | undefined {
    return this.#accessToken;
  }
}
