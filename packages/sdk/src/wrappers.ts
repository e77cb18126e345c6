import { MandateSdkError } from './errors.ts';
import { MandateIdentityClient, type MandateIdentityClientOptions, type TokenRequest } from './identity-client.ts';

type TokenSource = string | (() => string | Promise<string>);

/** A token request as TokenRequest declares it, with the WAT given as a value or a function, and the client to use. */
export interface RequiresAccessTokenOptions extends Omit<TokenRequest, 'workloadIdentityToken'> {
  /** The workload access token, or a function returning the current one. */
  workloadIdentityToken?: TokenSource;
  /** A client to share between wrappers (default: one per wrapper). */
  client?: MandateIdentityClient;
  clientOptions?: MandateIdentityClientOptions;
}

async function resolveWat(src: TokenSource | undefined): Promise<string> {
  const wat = typeof src === 'function' ? await src() : src;
  if (!wat) throw new MandateSdkError('no_workload_token', 'No workload access token: pass workloadIdentityToken (a string or a function returning one).');
  return wat;
}

/**
 * Wraps `fn` so it receives a provider access token as its last argument, like bedrock-agentcore's
 * withAccessToken, but returning within milliseconds of consent (Mandate's wait extension).
 */
export function requiresAccessToken(options: RequiresAccessTokenOptions) {
  const client = options.client ?? new MandateIdentityClient(options.clientOptions);
  return <A extends unknown[], R>(fn: (...args: [...A, string]) => Promise<R> | R) =>
    async (...args: A): Promise<R> => {
      const req = {
        providerName: options.providerName,
        authFlow: options.authFlow,
        scopes: options.scopes,
        workloadIdentityToken: await resolveWat(options.workloadIdentityToken),
        ...(options.onAuthUrl ? { onAuthUrl: options.onAuthUrl } : {}),
        ...(options.forceAuthentication !== undefined ? { forceAuthentication: options.forceAuthentication } : {}),
        ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}),
        ...(options.customState ? { customState: options.customState } : {}),
        ...(options.customParameters ? { customParameters: options.customParameters } : {}),
        ...(options.resources ? { resources: options.resources } : {}),
        ...(options.audiences ? { audiences: options.audiences } : {}),
      };
      const token = await client.getOAuth2Token(req);
      return fn(...args, token);
    };
}

export interface RequiresApiKeyOptions {
  providerName: string;
  workloadIdentityToken?: TokenSource;
  client?: MandateIdentityClient;
  clientOptions?: MandateIdentityClientOptions;
}

/** Wraps `fn` so it receives the provider's API key as its last argument. */
export function requiresApiKey(options: RequiresApiKeyOptions) {
  const client = options.client ?? new MandateIdentityClient(options.clientOptions);
  return <A extends unknown[], R>(fn: (...args: [...A, string]) => Promise<R> | R) =>
    async (...args: A): Promise<R> => {
      const apiKey = await client.getApiKey({ providerName: options.providerName, workloadIdentityToken: await resolveWat(options.workloadIdentityToken) });
      return fn(...args, apiKey);
    };
}
