/**
 * The one place the weather agent asks AgentCore Identity (here: Mandate) for the user's Entra token.
 *
 * Everything else depends on the `TokenSource` port, so tests inject their own source and the
 * implementation can move to Mandate's SDK without touching the tool or the run loop.
 * This implementation uses the official `withAccessToken` from `bedrock-agentcore/identity`, which
 * calls GetResourceOauth2Token (USER_FEDERATION) and, when consent is needed, hands us the
 * authorization URL through `onAuthUrl` and then polls (every 5 s, up to 10 min) until the token is
 * released. It reaches Mandate through `AWS_ENDPOINT_URL_BEDROCK_AGENTCORE` + `AWS_REGION`.
 */
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

export interface AgentCoreTokenSourceOptions {
  /** Credential provider name, e.g. `ms_entra_oauth_provider`. */
  readonly providerName: string;
  /** Scopes for the resource, e.g. `api://<appId>/read`. */
  readonly scopes: readonly string[];
  /** Start a new 3LO flow even if the vault already holds a token (the seed forced this; default off). */
  readonly forceAuthentication?: boolean;
}

/** Error raised when the runtime did not hand us a workload access token. */
export class MissingWorkloadTokenError extends Error {
  constructor() {
    super('No workload access token in the request: the agent must be invoked through the runtime, which injects X-Amz-Bedrock-AgentCore-Identity-WAT');
    this.name = 'MissingWorkloadTokenError';
  }
}

/** A TokenSource backed by the official `withAccessToken` wrapper (USER_FEDERATION). */
export function agentCoreTokenSource(options: AgentCoreTokenSourceOptions): TokenSource {
  const scopes = [...options.scopes];
  return {
    async obtain(request) {
      if (!request.workloadAccessToken) throw new MissingWorkloadTokenError();
      const { promise: authUrl, resolve: onAuthUrl } = Promise.withResolvers<string>();
      // The wrapper is built per call because onAuthUrl is fixed at wrap time and belongs to this request.
      const fetchToken = withAccessToken({
        providerName: options.providerName,
        scopes,
        authFlow: 'USER_FEDERATION',
        workloadIdentityToken: request.workloadAccessToken,
        ...(request.callbackUrl ? { callbackUrl: request.callbackUrl } : {}),
        ...(options.forceAuthentication ? { forceAuthentication: true } : {}),
        onAuthUrl,
      })(async (token: string) => token);
      const accessToken = fetchToken();
      // A consent that later fails is awaited by the run loop; until then, keep it from being "unhandled".
      accessToken.catch(() => undefined);
      return Promise.race([
        accessToken.then((token): TokenOutcome => ({ kind: 'token', accessToken: token })),
        authUrl.then((authorizationUrl): TokenOutcome => ({ kind: 'consent', authorizationUrl, accessToken })),
      ]);
    },
  };
}
