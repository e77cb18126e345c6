/**
 * A browser stand-in for tests: follows redirects with a cookie jar, fills the emulator's sign-in and
 * consent forms, and stops at the first redirect leaving the emulator (the client's redirect URI with
 * `code`/`state` or `error`), which it returns WITHOUT fetching. A form_post response is returned as
 * the form's action URL with the fields as query parameters.
 */

interface Form {
  action: string;
  fields: Map<string, string>;
  buttons: Map<string, string>;
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]!) : undefined;
}

function unescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, x: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[x]!);
}

function parseForm(html: string, base: string): Form | undefined {
  const m = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!m) return undefined;
  const tag = m[0].slice(0, m[0].indexOf('>') + 1);
  const fields = new Map<string, string>();
  const buttons = new Map<string, string>();
  for (const input of m[1]!.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name) fields.set(name, attr(input, 'value') ?? '');
  }
  for (const b of m[1]!.match(/<button\b[^>]*>/gi) ?? []) {
    const name = attr(b, 'name');
    if (name) buttons.set(attr(b, 'value') ?? '', name);
  }
  return { action: new URL(attr(tag, 'action') ?? base, base).toString(), fields, buttons };
}

export async function completeAuthorization(
  authorizeUrl: string, user: { username: string; password: string }, options: { consent?: boolean } = {},
): Promise<URL> {
  const origin = new URL(authorizeUrl).origin;
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method, redirect: 'manual', ...(body === undefined ? {} : { body }),
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (value === '' || /max-age=0/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const next = new URL(res.headers.get('location') ?? '', url);
      if (next.origin !== origin) return next;
      url = next.toString();
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const form = parseForm(html, url);
    if (!form) throw new Error(`completeAuthorization: ${res.status} page without a form at ${url}: ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
    if (new URL(form.action).origin !== origin) {
      const out = new URL(form.action);
      for (const [k, v] of form.fields) out.searchParams.set(k, v);
      return out;
    }
    body = new URLSearchParams([...form.fields]);
    if (form.fields.has('password')) {
      if (/role="alert"/.test(html) && hop > 0 && method === 'POST') throw new Error('completeAuthorization: sign-in was rejected');
      body.set('username', user.username);
      body.set('password', user.password);
    } else if (form.buttons.has('accept')) {
      body.set('decision', options.consent === false ? 'cancel' : 'accept');
    } else {
      throw new Error(`completeAuthorization: unexpected form at ${url}`);
    }
    url = form.action;
    method = 'POST';
  }
  throw new Error('completeAuthorization: too many redirects');
}

/** Completes a device-code sign-in: enters the user code at `verificationUri`, signs in and consents. */
export async function completeDeviceCode(
  verificationUri: string, userCode: string, user: { username: string; password: string }, options: { consent?: boolean } = {},
): Promise<string> {
  const jar: string[] = [];
  const res = await fetch(verificationUri, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ user_code: userCode }) });
  for (const c of res.headers.getSetCookie()) jar.push(c.split(';')[0]!);
  await res.body?.cancel();
  const loc = res.headers.get('location');
  if (!loc) throw new Error(`completeDeviceCode: the code was not accepted (${res.status})`);
  // Reuse the authorization walker from the interaction page on; its result is the final page text.
  let url = new URL(loc, verificationUri).toString();
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const r = await fetch(url, { method, redirect: 'manual', ...(body === undefined ? {} : { body }), headers: { cookie: jar.join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } });
    for (const c of r.headers.getSetCookie()) jar.push(c.split(';')[0]!);
    if (r.status >= 300 && r.status < 400) {
      await r.body?.cancel();
      url = new URL(r.headers.get('location') ?? '', url).toString();
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await r.text();
    const form = parseForm(html, url);
    if (!form) return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    body = new URLSearchParams([...form.fields]);
    if (form.fields.has('password')) {
      body.set('username', user.username);
      body.set('password', user.password);
    } else {
      body.set('decision', options.consent === false ? 'cancel' : 'accept');
    }
    url = form.action;
    method = 'POST';
  }
  throw new Error('completeDeviceCode: too many steps');
}
