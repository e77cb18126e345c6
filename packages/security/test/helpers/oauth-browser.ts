// A scripted browser for the OAuth flow attacks: every hop is a plain fetch with redirects not followed, so a
// test can stop, tamper with and replay any leg (Mandate /authorize → provider → Mandate callback → return URL).

export interface Hop {
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
}

export async function open(url: URL | string): Promise<Hop> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), headers: res.headers };
}

/** Mandate's /authorize hop: where Mandate sends the browser at the provider. */
export async function providerUrlFor(authorizationUrl: string): Promise<URL> {
  const hop = await open(authorizationUrl);
  if (hop.status !== 302 || !hop.location) throw new Error(`/authorize answered ${hop.status}: ${hop.body.slice(0, 200)}`);
  return new URL(hop.location);
}

/**
 * Signs in at the (headless) Entra emulator as `user` on the given provider URL and returns the provider's
 * redirect back to Mandate's callback, not yet followed: the URL carrying `code` and `state`.
 */
export async function consentAt(providerUrl: URL, user: string): Promise<URL> {
  const u = new URL(providerUrl);
  u.searchParams.set('login_hint', user);
  const hop = await open(u);
  if (hop.status < 300 || hop.status >= 400 || !hop.location) throw new Error(`provider answered ${hop.status}: ${hop.body.slice(0, 300)}`);
  return new URL(hop.location, u);
}

/** Both hops: the callback URL a user's consent produces for an authorization URL. */
export async function callbackFor(authorizationUrl: string, user: string): Promise<URL> {
  return consentAt(await providerUrlFor(authorizationUrl), user);
}
