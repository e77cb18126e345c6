/**
 * The one place the weather agent asks AgentCore Identity (here: Mandate) for the user's Entra token.
 *
 * Everything else depends on the `TokenSource` port, so tests inject their own source. Two
 * implementations, both calling GetResourceOauth2Token (USER_FEDERATION) with the WAT from the
 * request context and reporting the authorization URL through `onAuthUrl`:
 * - `mandateTokenSource` (default): Mandate's SDK `requiresAccessToken`, whose polls use Mandate's
 *   wait extension, so the token arrives within milliseconds of consent.
 * - `officialTokenSource`: the official `withAccessToken` from `bedrock-agentcore/identity`, which
 *   polls every 5 s for up to 10 min; kept to show the agent works with the unmodified AWS client.
 * Both reach Mandate through `AWS_ENDPOINT_URL_BEDROCK_AGENTCORE` (+ `AWS_REGION`).
 */
import { requiresAccessToken, type MandateIdentityClient } from '@mandate/sdk';
import { withAccessToken } from 'bedrock-agentcore/identity';

/** What the request context gives us: the runtime-injected WAT and, optionally, the OAuth2 return URL. */
export interface TokenRequest {
  readonly workloadAccessToken: string | undefined;
  readonly callbackUrl?: string | undefined;
}

/** Either the token right away (already consented) or the URL the user must open plus the eventual token. */
export type TokenOutcome =
  | { readonly kind: 'token'; readonly accessToken: string }
  | { readonly kind: 'consent'; readonly authorizationUrl: string; readonly accessToken: Promise<string> };

export interface TokenSource {
  obtain(request: TokenRequest): Promise<TokenOutcome>;
}

export interface TokenSourceOptions {
  /** Credential provider name, e.g. `ms_entra_oauth_provider`. */
  readonly providerName: string;
  /** Scopes for the resource, e.g. `api://<appId>/read`. */
  readonly scopes: readonly string[];
  /** Start a new 3LO flow even if the vault already holds a token (the seed forced this; default off). */
  readonly forceAuthentication?: boolean;
}

/** Raised when the runtime did not hand us a workload access token. */
export class MissingWorkloadTokenError extends Error {
  constructor() {
    super('No workload access token in the request: the agent must be invoked through the runtime, which injects X-Amz-Bedrock-AgentCore-Identity-WAT');
    this.name = 'MissingWorkloadTokenError';
  }
}

/** A token fetch that reports the authorization URL through `onAuthUrl` before it waits for consent. */
type FetchToken = (wat: string, request: TokenRequest, onAuthUrl: (url: string) => void) => Promise<string>;

/** Races the token against the authorization URL: whichever comes first decides the outcome. */
function tokenSource(fetchToken: FetchToken): TokenSource {
  return {
    async obtain(request) {
      if (!request.workloadAccessToken) throw new MissingWorkloadTokenError();
      const { promise: authUrl, resolve: onAuthUrl } = Promise.withResolvers<string>();
      const accessToken = fetchToken(request.workloadAccessToken, request, onAuthUrl);
      // A consent that later fails is awaited by the run loop; until then, keep it from being "unhandled".
      accessToken.catch(() => undefined);
      return Promise.race([
        accessToken.then((token): TokenOutcome => ({ kind: 'token', accessToken: token })),
        authUrl.then((authorizationUrl): TokenOutcome => ({ kind: 'consent', authorizationUrl, accessToken })),
      ]);
    },
  };
}

/** Mandate's SDK (`requiresAccessToken`); pass one shared `client` so connections are reused. */
export function mandateTokenSource(options: TokenSourceOptions & { readonly client?: MandateIdentityClient }): TokenSource {
  return tokenSource((wat, request, onAuthUrl) =>
    requiresAccessToken({
      providerName: options.providerName,
      authFlow: 'USER_FEDERATION',
      scopes: [...options.scopes],
      workloadIdentityToken: wat,
      ...(request.callbackUrl ? { callbackUrl: request.callbackUrl } : {}),
      ...(options.forceAuthentication ? { forceAuthentication: true } : {}),
      ...(options.client ? { client: options.client } : {}),
      onAuthUrl,
    })(async (token: string) => token)(),
  );
}

/** The official bedrock-agentcore `withAccessToken` (built per call: its onAuthUrl is fixed at wrap time). */
export function officialTokenSource(options: TokenSourceOptions): TokenSource {
  return tokenSource((wat, request, onAuthUrl) =>
    withAccessToken({
      providerName: options.providerName,
      scopes: [...options.scopes],
      authFlow: 'USER_FEDERATION',
      workloadIdentityToken: wat,
      ...(request.callbackUrl ? { callbackUrl: request.callbackUrl } : {}),
      ...(options.forceAuthentication ? { forceAuthentication: true } : {}),
      onAuthUrl,
    })(async (token: string) => token)(),
  );
}
