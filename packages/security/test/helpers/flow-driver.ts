import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  type BedrockAgentCoreClient,
} from '@aws-sdk/client-bedrock-agentcore';

/**
 * Drives one complete 3LO flow (USER_FEDERATION) the way an agent, a browser and an application do,
 * possibly across two Mandate instances: the agent starts it on `start`, the browser's callback and the
 * application's CompleteResourceTokenAuth go to `finish`, and the agent's poll goes back to `start`.
 */
export interface FlowSpec {
  workloadName: string;
  userId: string;
  /** The Entra user signing in (the headless emulator's login_hint). */
  loginHint: string;
  providerName: string;
  scopes: string[];
  returnUrl: string;
  start: { client: BedrockAgentCoreClient; url: string };
  finish: { client: BedrockAgentCoreClient; url: string };
  /** The instance whose URL the authorization URL and callback URL carry (the configured publicUrl). */
  publicUrl: string;
}

export async function workloadToken(client: BedrockAgentCoreClient, workloadName: string, userId: string): Promise<string> {
  return (await client.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId }))).workloadAccessToken!;
}

export function tokenRequest(f: Pick<FlowSpec, 'providerName' | 'scopes' | 'returnUrl'>, wat: string, sessionUri?: string): GetResourceOauth2TokenCommand {
  return new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat,
    resourceCredentialProviderName: f.providerName,
    scopes: f.scopes,
    oauth2Flow: 'USER_FEDERATION',
    resourceOauth2ReturnUrl: f.returnUrl,
    ...(sessionUri ? { sessionUri } : {}),
  });
}

/** Follows the browser's redirects from Mandate's authorization URL to the return URL; the callback goes to `callbackBase`. */
export async function browse(authorizationUrl: string, loginHint: string, publicUrl: string, authorizeBase: string, callbackBase: string, returnUrl: string): Promise<URL> {
  let url = authorizationUrl.replace(publicUrl, authorizeBase);
  for (let i = 0; i < 10; i++) {
    if (url.startsWith(returnUrl)) return new URL(url);
    if (url.startsWith(`${publicUrl}/identities/oauth2/callback/`)) url = url.replace(publicUrl, callbackBase);
    const u = new URL(url);
    if (u.pathname.endsWith('/oauth2/v2.0/authorize')) u.searchParams.set('login_hint', loginHint);
    const res = await fetch(u, { redirect: 'manual' });
    const body = await res.text();
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) throw new Error(`browser stopped at ${u.origin}${u.pathname} with ${res.status}: ${body.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300)}`);
    url = new URL(loc, u).href;
  }
  throw new Error('too many redirects');
}

/** Runs the whole flow and returns the access token the agent finally receives. */
export async function runFlow(f: FlowSpec): Promise<string> {
  const wat = await workloadToken(f.start.client, f.workloadName, f.userId);
  const first = await f.start.client.send(tokenRequest(f, wat));
  if (!first.authorizationUrl || !first.sessionUri) throw new Error(`no authorization URL for ${f.userId}: ${JSON.stringify(first)}`);
  const back = await browse(first.authorizationUrl, f.loginHint, f.publicUrl, f.start.url, f.finish.url, f.returnUrl);
  if (back.searchParams.get('session_id') !== first.sessionUri) throw new Error(`return URL carries another session for ${f.userId}`);
  await f.finish.client.send(new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri, userIdentifier: { userId: f.userId } }));
  const done = await f.start.client.send(tokenRequest(f, wat, first.sessionUri));
  if (!done.accessToken) throw new Error(`no token after completion for ${f.userId}`);
  return done.accessToken;
}

/** Runs `task(i)` for i in [0, n) with at most `limit` in flight; rejects with the first failure after all settle. */
export async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      try {
        out[i] = await task(i);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  if (errors.length) throw new AggregateError(errors, `${errors.length} of ${n} tasks failed: ${String((errors[0] as Error)?.message ?? errors[0])}`);
  return out;
}

/** The JSON payload of a JWT (no verification: the tests only read who a provider token was issued to). */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
