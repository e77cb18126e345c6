import type { ProviderQuirks } from './provider-client.ts';

/**
 * The token-endpoint quirks that change bytes on the wire, applied around the injected fetch so the
 * flows keep using oauth4webapi unchanged:
 * - `tokenRequestJson` (Notion): the form body oauth4webapi builds is sent as a JSON object instead.
 * - `userTokenPath` (Slack): the user's token sits in a nested object (`authed_user`) and the top level is
 *   the bot's (or absent); the nested object is lifted to the top, so what is stored is the user's token.
 * Other endpoints (authorization, revocation) pass through untouched.
 */
export function vendorFetch(base: typeof fetch, tokenEndpoint: string, q: ProviderQuirks): typeof fetch {
  if (!q.tokenRequestJson && !q.userTokenPath) return base;
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== tokenEndpoint) return base(input, init);
    let request = init;
    if (q.tokenRequestJson && init?.body instanceof URLSearchParams) {
      const headers = new Headers(init.headers);
      headers.set('content-type', 'application/json');
      request = { ...init, headers, body: JSON.stringify(Object.fromEntries(init.body)) };
    }
    const res = await base(input, request);
    if (!q.userTokenPath || !res.ok) return res;
    return liftUserToken(res, q.userTokenPath);
  };
}

async function liftUserToken(res: Response, path: string): Promise<Response> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, { status: res.status, headers: res.headers });
  }
  let user: unknown = body;
  for (const key of path.split('.')) user = typeof user === 'object' && user !== null ? (user as Record<string, unknown>)[key] : undefined;
  // Slack names user tokens `token_type: "user"`; they are bearer tokens (RFC 6750), which is what clients check.
  // A refresh of a rotating user token answers with it at the top level, already the user's.
  const top = body as Record<string, unknown>;
  const out = typeof user === 'object' && user !== null
    ? { ...(user as Record<string, unknown>), token_type: 'bearer' }
    : typeof body === 'object' && body !== null && top.token_type === 'user' ? { ...top, token_type: 'bearer' } : body;
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(out), { status: res.status, headers });
}
