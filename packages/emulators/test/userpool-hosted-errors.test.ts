import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { CreateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '@mandate/core';
import { alertText, CALLBACK, CookieJar, get, parseForm, signIn, startHostedPool, submit, type HostedPool } from './userpool-hosted-helpers.ts';

let h: HostedPool;
let clock: ManualClock;

before(async () => {
  clock = new ManualClock(Date.now());
  h = await startHostedPool({ clock });
});

after(() => h.close());

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function authorizeUrl(params: Record<string, string | undefined>, poolId = h.poolId): URL {
  const url = new URL(`${h.emu.url}/${poolId}/oauth2/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.append(k, v);
  return url;
}

const good = (challenge: string, extra: Record<string, string | undefined> = {}) => ({
  response_type: 'code', client_id: h.clientId, redirect_uri: CALLBACK, scope: 'openid', state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256', ...extra,
});

/** Signs in and returns the code the redirect carries. */
async function codeFor(params: Record<string, string | undefined>): Promise<string> {
  const res = await signIn(authorizeUrl(params), h.username, h.password);
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location')!).searchParams.get('code')!;
}

async function token(params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.emu.url}/${h.poolId}/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** An error page: the status, no redirect, and the OAuth error named on it. */
async function assertErrorPage(url: URL, status: number, error: string, description: string): Promise<void> {
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, status);
  assert.equal(res.headers.get('location'), null);
  const html = await res.text();
  assert.match(html, /<h1>An error was encountered with the requested page.<\/h1>/);
  assert.equal(alertText(html), `${error}: ${description}`);
}

/** An error sent back to the (verified) redirect URI. */
async function assertRedirectError(url: URL, error: string, description: string): Promise<void> {
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const loc = new URL(res.headers.get('location')!);
  assert.equal(loc.origin + loc.pathname, CALLBACK);
  assert.deepEqual(Object.fromEntries(loc.searchParams), { error, error_description: description, state: 'st-1' });
}

test('authorize: unknown pool, missing or unknown client, unregistered redirect_uri are error pages, never redirects', async () => {
  const { challenge } = pkce();
  await assertErrorPage(authorizeUrl(good(challenge), 'us-west-2_Nope12345'), 404, 'invalid_request', 'User pool us-west-2_Nope12345 does not exist.');
  await assertErrorPage(authorizeUrl(good(challenge, { client_id: undefined })), 400, 'invalid_request', 'The client_id parameter is required.');
  await assertErrorPage(authorizeUrl(good(challenge, { client_id: 'nosuchclient0000000000000' })), 400, 'invalid_client', `Client nosuchclient0000000000000 does not exist in user pool ${h.poolId}.`);
  await assertErrorPage(authorizeUrl(good(challenge, { redirect_uri: undefined })), 400, 'invalid_request', 'The redirect_uri parameter is required.');
  const mismatch = 'redirect_mismatch';
  const why = "The redirect_uri is not one of the app client's callback URLs (they must match exactly).";
  for (const uri of [`${CALLBACK}/`, `${CALLBACK}?x=1`, 'http://127.0.0.1:10/callback', 'http://localhost:9/callback', 'https://evil.example/callback', 'HTTP://127.0.0.1:9/callback']) {
    await assertErrorPage(authorizeUrl(good(challenge, { redirect_uri: uri })), 400, mismatch, why);
  }
  const dup = authorizeUrl(good(challenge));
  dup.searchParams.append('client_id', h.secretClientId);
  await assertErrorPage(dup, 400, 'invalid_request', 'The client_id parameter is repeated.');
});

test('authorize: PKCE is required for clients without a secret and must be S256; other request errors go to the redirect URI', async () => {
  const { challenge } = pkce();
  await assertRedirectError(authorizeUrl(good(challenge, { code_challenge: undefined, code_challenge_method: undefined })), 'invalid_request',
    'PKCE is required for app clients without a secret: send code_challenge with code_challenge_method=S256.');
  await assertRedirectError(authorizeUrl(good(challenge, { code_challenge_method: 'plain' })), 'invalid_request', 'code_challenge_method plain is not supported; use S256.');
  await assertRedirectError(authorizeUrl(good(challenge, { code_challenge_method: undefined })), 'invalid_request', 'code_challenge_method plain (the default) is not supported; use S256.');
  await assertRedirectError(authorizeUrl(good(challenge, { code_challenge: undefined })), 'invalid_request', 'code_challenge_method was sent without a code_challenge.');
  await assertRedirectError(authorizeUrl(good('too-short')), 'invalid_request', 'code_challenge must be the 43-character base64url SHA-256 of the code verifier (RFC 7636 §4.2).');
  await assertRedirectError(authorizeUrl(good(challenge, { response_type: 'token' })), 'unsupported_response_type',
    'response_type token is not supported; the emulator implements the authorization code flow (response_type=code).');
  await assertRedirectError(authorizeUrl(good(challenge, { response_type: undefined })), 'invalid_request', 'The response_type parameter is required.');
  await assertRedirectError(authorizeUrl(good(challenge, { scope: 'openid phone' })), 'invalid_scope', 'The app client is not allowed the scope phone.');
  await assertRedirectError(authorizeUrl(good(challenge, { identity_provider: 'Google' })), 'invalid_request', 'Identity provider Google is not enabled for this app client.');
  await assertRedirectError(authorizeUrl(good(challenge, { prompt: 'none' })), 'login_required', 'The emulator keeps no sign-in session; the user must sign in.');

  // A client registered for the implicit flow only may not use the code flow.
  const implicit = await h.cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: h.poolId, ClientName: 'ImplicitOnly', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['implicit'],
    AllowedOAuthScopes: ['openid'], CallbackURLs: [CALLBACK], SupportedIdentityProviders: ['COGNITO'],
  }));
  await assertRedirectError(authorizeUrl(good(challenge, { client_id: implicit.UserPoolClient!.ClientId! })), 'unauthorized_client',
    'The app client is not allowed to use the authorization code flow (AllowedOAuthFlows must include code).');
  // ...and one without an identity provider has no sign-in to show.
  const noIdp = await h.cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: h.poolId, ClientName: 'NoIdp', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: [CALLBACK],
  }));
  await assertRedirectError(authorizeUrl(good(challenge, { client_id: noIdp.UserPoolClient!.ClientId! })), 'unauthorized_client',
    'The app client has no identity provider enabled (SupportedIdentityProviders must include COGNITO).');

  // A client with a secret may omit PKCE.
  const res = await signIn(authorizeUrl(good(challenge, { client_id: h.secretClientId, code_challenge: undefined, code_challenge_method: undefined })), h.username, h.password);
  assert.equal(res.status, 302);
  assert.ok(new URL(res.headers.get('location')!).searchParams.get('code'));
});

test('sign-in page: a wrong password or unknown user shows the page again with one generic message; a good password then works', async () => {
  const { challenge } = pkce();
  const jar = new CookieJar();
  const page = await get(authorizeUrl(good(challenge)), jar);
  const form = parseForm(await page.text());
  for (const [username, password] of [[h.username, 'Wrong-Password-1'], ['nobody', 'Wrong-Password-1'], [h.username, '']]) {
    const res = await submit(h.emu.url, form, { username: username!, password: password! }, jar);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('location'), null);
    const html = await res.text();
    assert.equal(alertText(html), 'Incorrect username or password.');
    assert.equal(parseForm(html).fields.username, username);
  }
  const ok = await submit(h.emu.url, form, { username: h.username, password: h.password }, jar);
  assert.equal(ok.status, 302);
  assert.equal(new URL(ok.headers.get('location')!).searchParams.get('state'), 'st-1');
  // The page is used up.
  const again = await submit(h.emu.url, form, { username: h.username, password: h.password }, jar);
  assert.equal(again.status, 400);
});

test('sign-in page: another browser (no cookie), a wrong CSRF token, or a non-form body cannot submit it', async () => {
  const { challenge } = pkce();
  const jar = new CookieJar();
  const form = parseForm(await (await get(authorizeUrl(good(challenge)), jar)).text());
  const expired = 'invalid_request: This sign-in page has expired or was opened in another browser. Go back to the application and sign in again.';
  const other = await submit(h.emu.url, form, { username: h.username, password: h.password }, new CookieJar());
  assert.equal(other.status, 400);
  assert.equal(alertText(await other.text()), expired);
  const csrf = await submit(h.emu.url, form, { username: h.username, password: h.password, _csrf: 'forged' }, jar);
  assert.equal(csrf.status, 400);
  assert.equal(alertText(await csrf.text()), expired);
  const json = await fetch(new URL(form.action, h.emu.url), {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json', cookie: jar.header() },
    body: JSON.stringify({ ...form.fields, username: h.username, password: h.password }),
  });
  assert.equal(json.status, 400);
  // None of these used the page up.
  const ok = await submit(h.emu.url, form, { username: h.username, password: h.password }, jar);
  assert.equal(ok.status, 302);
});

test('token: wrong verifier, missing verifier, replayed code, expired code, other client, redirect mismatch are invalid_grant', async () => {
  const grant = (code: string, verifier: string | undefined, extra: Record<string, string> = {}) => token({
    grant_type: 'authorization_code', client_id: h.clientId, code, redirect_uri: CALLBACK, ...(verifier ? { code_verifier: verifier } : {}), ...extra,
  });
  const invalid = (d: string) => ({ status: 400, body: { error: 'invalid_grant', error_description: d } });
  const pick = (r: Awaited<ReturnType<typeof token>>) => ({ status: r.status, body: r.body });

  let p = pkce();
  let code = await codeFor(good(p.challenge));
  assert.deepEqual(pick(await grant(code, pkce().verifier)), invalid('The code_verifier does not match the code_challenge (RFC 7636 §4.6).'));
  // A failed redemption uses the code up: the right verifier no longer helps.
  assert.deepEqual(pick(await grant(code, p.verifier)), invalid('The authorization code is invalid or was already used.'));

  p = pkce();
  code = await codeFor(good(p.challenge));
  assert.deepEqual(pick(await grant(code, undefined)), invalid('The code_verifier parameter is required: the authorization request used PKCE.'));

  p = pkce();
  code = await codeFor(good(p.challenge));
  const ok = await grant(code, p.verifier);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  assert.deepEqual(Object.keys(ok.body), ['id_token', 'access_token', 'refresh_token', 'expires_in', 'token_type']);
  assert.deepEqual(pick(await grant(code, p.verifier)), invalid('The authorization code is invalid or was already used.'));

  p = pkce();
  code = await codeFor(good(p.challenge));
  clock.advance(5 * 60_000 + 1);
  assert.deepEqual(pick(await grant(code, p.verifier)), invalid('The authorization code has expired.'));

  p = pkce();
  code = await codeFor(good(p.challenge));
  clock.advance(5 * 60_000 - 1_000);
  assert.equal((await grant(code, p.verifier)).status, 200, 'a code is good for 5 minutes');

  p = pkce();
  code = await codeFor(good(p.challenge));
  assert.deepEqual(pick(await grant(code, p.verifier, { redirect_uri: `${CALLBACK}/other` })), invalid('redirect_uri does not match the one of the authorization request.'));

  p = pkce();
  code = await codeFor(good(p.challenge));
  assert.deepEqual(pick(await grant(code, p.verifier, { client_id: h.secretClientId, client_secret: h.secret })), invalid('The authorization code was issued to another client.'));

  // A verifier for a code issued without a challenge is a PKCE downgrade.
  code = await codeFor(good('', { client_id: h.secretClientId, code_challenge: undefined, code_challenge_method: undefined }));
  assert.deepEqual(pick(await grant(code, pkce().verifier, { client_id: h.secretClientId, client_secret: h.secret })),
    invalid('code_verifier was sent but the authorization request had no code_challenge.'));
  assert.deepEqual(pick(await grant('not-a-code', p.verifier)), invalid('The authorization code is invalid or was already used.'));
});

test('token: client authentication, grant types and malformed requests', async () => {
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });
  const base = { grant_type: 'refresh_token', refresh_token: 'x' };
  const e = (status: number, error: string, d: string) => ({ status, body: { error, error_description: d } });
  const pick = (r: Awaited<ReturnType<typeof token>>) => ({ status: r.status, body: r.body });

  assert.deepEqual(pick(await token({ ...base, client_id: 'nosuchclient0000000000000' })), e(400, 'invalid_client', 'Client authentication failed: unknown client.'));
  assert.deepEqual(pick(await token({ ...base, client_id: h.secretClientId })), e(400, 'invalid_client', `Client ${h.secretClientId} is configured with a secret but none was sent.`));
  assert.deepEqual(pick(await token({ ...base, client_id: h.secretClientId, client_secret: 'wrong' })), e(400, 'invalid_client', 'Client authentication failed.'));
  const wrongBasic = await token(base, basic(h.secretClientId, 'wrong'));
  assert.deepEqual(pick(wrongBasic), e(401, 'invalid_client', 'Client authentication failed.'));
  assert.equal(wrongBasic.headers.get('www-authenticate'), 'Basic');
  assert.deepEqual(pick(await token({ ...base, client_id: h.clientId, client_secret: 'anything' })), e(400, 'invalid_client', `Client ${h.clientId} has no secret; send client_id only.`));
  assert.deepEqual(pick(await token({ ...base, client_secret: h.secret }, basic(h.secretClientId, h.secret))), e(400, 'invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body, not both.'));
  assert.deepEqual(pick(await token({ ...base, client_id: h.clientId }, basic(h.secretClientId, h.secret))), e(400, 'invalid_request', 'client_id in the body and in the Authorization header differ.'));
  assert.deepEqual(pick(await token(base)), e(400, 'invalid_request', 'The client_id parameter is required.'));
  assert.deepEqual(pick(await token({ client_id: h.clientId })), e(400, 'invalid_request', 'The grant_type parameter is required.'));
  assert.deepEqual(pick(await token({ grant_type: 'password', client_id: h.clientId, username: 'alice', password: h.password })),
    e(400, 'unsupported_grant_type', 'grant_type password is not supported by the emulator (authorization_code, refresh_token).'));
  assert.deepEqual(pick(await token({ grant_type: 'authorization_code', client_id: h.clientId, redirect_uri: CALLBACK })), e(400, 'invalid_request', 'The code parameter is required.'));
  assert.deepEqual(pick(await token({ ...base, client_id: h.clientId })), e(400, 'invalid_grant', 'Invalid Refresh Token'));
  assert.deepEqual(pick(await token({ grant_type: 'refresh_token', client_id: h.clientId })), e(400, 'invalid_request', 'The refresh_token parameter is required.'));
  const dup = new URLSearchParams({ grant_type: 'refresh_token', client_id: h.clientId, refresh_token: 'a' });
  dup.append('refresh_token', 'b');
  const dupRes = await fetch(`${h.emu.url}/${h.poolId}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: dup });
  assert.deepEqual({ status: dupRes.status, body: await dupRes.json() }, e(400, 'invalid_request', 'The refresh_token parameter is repeated.'));
  const json = await fetch(`${h.emu.url}/${h.poolId}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token' }) });
  assert.deepEqual({ status: json.status, body: await json.json() }, e(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded.'));

  // A refresh token only works for the client it was issued to.
  const p = pkce();
  const code = await codeFor(good(p.challenge));
  const issued = await token({ grant_type: 'authorization_code', client_id: h.clientId, code, redirect_uri: CALLBACK, code_verifier: p.verifier });
  const rt = String(issued.body.refresh_token);
  assert.deepEqual(pick(await token({ grant_type: 'refresh_token', refresh_token: rt }, basic(h.secretClientId, h.secret))), e(400, 'invalid_grant', 'Invalid Refresh Token'));
  const refreshed = await token({ grant_type: 'refresh_token', client_id: h.clientId, refresh_token: rt });
  assert.equal(refreshed.status, 200);
  assert.deepEqual(Object.keys(refreshed.body), ['id_token', 'access_token', 'expires_in', 'token_type']);
});

test('userInfo: no token, a bad token, a token without openid', async () => {
  const url = `${h.emu.url}/${h.poolId}/oauth2/userInfo`;
  const none = await fetch(url);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  const bad = await fetch(url, { headers: { authorization: 'Bearer not.a.jwt' } });
  assert.equal(bad.status, 401);
  assert.deepEqual(await bad.json(), { error: 'invalid_token', error_description: 'Invalid access token' });
  assert.equal(bad.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="Invalid access token"');

  const p = pkce();
  const code = await codeFor(good(p.challenge, { scope: 'email' }));
  const issued = await token({ grant_type: 'authorization_code', client_id: h.clientId, code, redirect_uri: CALLBACK, code_verifier: p.verifier });
  assert.equal(issued.body.id_token, undefined);
  const scoped = await fetch(url, { headers: { authorization: `Bearer ${String(issued.body.access_token)}` } });
  assert.equal(scoped.status, 403);
  assert.deepEqual(await scoped.json(), { error: 'insufficient_scope', error_description: 'The access token needs the openid scope.' });

  // A good token of this pool is not accepted at another pool's userInfo.
  const p2 = pkce();
  const code2 = await codeFor(good(p2.challenge, { scope: 'openid' }));
  const openid = await token({ grant_type: 'authorization_code', client_id: h.clientId, code: code2, redirect_uri: CALLBACK, code_verifier: p2.verifier });
  const auth = { authorization: `Bearer ${String(openid.body.access_token)}` };
  assert.equal((await fetch(url, { headers: auth })).status, 200);
  const elsewhere = await fetch(`${h.emu.url}/us-west-2_Other1234/oauth2/userInfo`, { headers: auth });
  assert.equal(elsewhere.status, 401);
  assert.deepEqual(await elsewhere.json(), { error: 'invalid_token', error_description: 'Invalid access token' });
  // Nor once it has expired.
  clock.advance(3600_000 + 1_000);
  const late = await fetch(url, { headers: auth });
  assert.equal(late.status, 401);
  assert.deepEqual(await late.json(), { error: 'invalid_token', error_description: 'Access token is expired' });
});
