// What the MCP SDK's OAuth client side needs from an application, as a desktop MCP client implements it
// (a public client, tokens and the PKCE verifier in memory), and a person signing in at the user pool's
// hosted page in Chromium. Shared by the tests that drive the official MCP client against Mandate.
import type { Browser } from 'playwright-core';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export class MemoryOAuthClient implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  readonly #redirectUrl: string;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  /** undefined: the client registers itself (RFC 7591) on first use. */
  #client: OAuthClientInformationMixed | undefined;

  constructor(redirectUrl: string, clientId?: string) {
    this.#redirectUrl = redirectUrl;
    if (clientId !== undefined) this.#client = { client_id: clientId };
  }
  get redirectUrl() {
    return this.#redirectUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { redirect_uris: [this.#redirectUrl], client_name: 'mandate test', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'] };
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(t: OAuthTokens) {
    this.#tokens = t;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.#verifier = v;
  }
  codeVerifier() {
    return this.#verifier;
  }
}

/** A person signing in at the user pool's hosted page in a fresh browser context; returns the code the redirect to `redirectUrl` carried. */
export async function signInAtPool(browser: Browser, url: URL, username: string, password: string, redirectUrl: string): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url.href);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(redirectUrl));
    return new URL(page.url()).searchParams.get('code')!;
  } finally {
    await context.close();
  }
}
