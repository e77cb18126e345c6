import { BedrockAgentCoreClient, GetResourceApiKeyCommand, GetResourceOauth2TokenCommand, type BedrockAgentCoreClientConfig, type GetResourceOauth2TokenCommandInput, type Oauth2FlowType } from '@aws-sdk/client-bedrock-agentcore';
import { AuthorizationTimeoutError, MandateSdkError, fromServiceError } from './errors.ts';

/** Mandate's wait extension header: a poll blocks server-side until the authorization session changes. */
export const WAIT_HEADER = 'x-mandate-wait';

/** The wire's `oauth2Flow`, declared once by the official client. */
export type AuthFlow = Oauth2FlowType;

export interface TokenRequest {
  providerName: string;
  scopes: string[];
  authFlow: AuthFlow;
  workloadIdentityToken: string;
  onAuthUrl?: (url: string) => void | Promise<void>;
  forceAuthentication?: boolean;
  /** The resourceOauth2ReturnUrl (one of the workload's allowedResourceOauth2ReturnUrls). */
  callbackUrl?: string;
  customState?: string;
  customParameters?: Record<string, string>;
  resources?: string[];
  audiences?: string[];
}

export interface MandateIdentityClientOptions {
  /** Passed to the AWS data-plane client; the endpoint defaults to AWS_ENDPOINT_URL_BEDROCK_AGENTCORE like the official SDKs. */
  clientConfig?: BedrockAgentCoreClientConfig;
  /** Seconds each poll may block at the server (Mandate's wait extension). Default 20. */
  waitSeconds?: number;
  /** Give up after this long. Default 10 minutes (the session lifetime). */
  timeoutMs?: number;
}

/**
 * A client for Mandate's identity data plane built on the official AWS client. It behaves like the
 * bedrock-agentcore IdentityClient, except that its polls carry `x-mandate-wait`, so the token arrives
 * within milliseconds of the user's consent instead of on the next 5-second tick; against a server that
 * ignores the header it falls back to paced polling. Service errors become typed MandateSdkErrors.
 */
export class MandateIdentityClient {
  readonly client: BedrockAgentCoreClient;
  readonly #waitSeconds: number;
  readonly #timeoutMs: number;

  constructor(options: MandateIdentityClientOptions = {}) {
    this.client = new BedrockAgentCoreClient({ region: process.env.AWS_REGION ?? 'us-east-1', ...options.clientConfig });
    this.#waitSeconds = options.waitSeconds ?? 20;
    this.#timeoutMs = options.timeoutMs ?? 600_000;
  }

  async getOAuth2Token(req: TokenRequest): Promise<string> {
    const base: GetResourceOauth2TokenCommandInput = {
      workloadIdentityToken: req.workloadIdentityToken,
      resourceCredentialProviderName: req.providerName,
      scopes: req.scopes,
      oauth2Flow: req.authFlow,
      resourceOauth2ReturnUrl: req.callbackUrl,
      customState: req.customState,
      customParameters: req.customParameters,
      resources: req.resources,
      audiences: req.audiences,
    };
    const first = await this.#send({ ...base, forceAuthentication: req.forceAuthentication });
    if (first.accessToken) return first.accessToken;
    if (!first.authorizationUrl || !first.sessionUri) throw new MandateSdkError('service', 'The identity service returned neither a token nor an authorization URL.');
    await req.onAuthUrl?.(first.authorizationUrl);
    const deadline = Date.now() + this.#timeoutMs;
    let pause = 250;
    while (Date.now() < deadline) {
      const started = Date.now();
      const wait = Math.max(0, Math.min(this.#waitSeconds, Math.floor((deadline - started) / 1000)));
      const r = await this.#send({ ...base, sessionUri: first.sessionUri }, wait);
      if (r.accessToken) return r.accessToken;
      // A server without the wait extension answers at once: pace the polls (up to every 5 s) instead of spinning.
      if (Date.now() - started < 500) {
        await new Promise((res) => setTimeout(res, pause));
        pause = Math.min(pause * 2, 5000);
      }
    }
    throw new AuthorizationTimeoutError(`The user did not complete authorization within ${Math.round(this.#timeoutMs / 1000)} seconds.`);
  }

  async getApiKey(req: { providerName: string; workloadIdentityToken: string }): Promise<string> {
    try {
      const r = await this.client.send(new GetResourceApiKeyCommand({ workloadIdentityToken: req.workloadIdentityToken, resourceCredentialProviderName: req.providerName }));
      if (!r.apiKey) throw new MandateSdkError('service', `No API key returned for provider ${req.providerName}.`);
      return r.apiKey;
    } catch (err) {
      throw fromServiceError(err);
    }
  }

  async #send(input: GetResourceOauth2TokenCommandInput, waitSeconds?: number) {
    const cmd = new GetResourceOauth2TokenCommand(input);
    if (waitSeconds !== undefined && waitSeconds > 0) {
      // Added before signing (build step), so the header is covered by SigV4 like any other.
      cmd.middlewareStack.add((next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) request.headers[WAIT_HEADER] = String(waitSeconds);
        return next(args);
      }, { step: 'build', name: 'mandateWaitHeader' });
    }
    try {
      return await this.client.send(cmd);
    } catch (err) {
      throw fromServiceError(err);
    }
  }
}
