import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import {
  AdminCreateUserCommand, AdminGetUserCommand, GetUserCommand, InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { alertText, CALLBACK, CookieJar, parseForm, signIn, startHostedPool, submit, type HostedPool } from './userpool-hosted-helpers.ts';
import { failure, STRONG, verifyViaDiscovery } from './userpool-helpers.ts';

let h: HostedPool;
let issuer: string;

before(async () => {
  h = await startHostedPool();
  issuer = h.emu.issuer(h.poolId);
});

after(() => h.close());

const insecure = { execute: [oidc.allowInsecureRequests] };

async function authorize(config: oidc.Configuration, scope: string) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK, scope, nonce, state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  return { url, verifier, nonce, state };
}

test('the discovery document advertises the hosted sign-in endpoints and only what is implemented', async () => {
  const res = await fetch(h.emu.discoveryUrl(h.poolId));
  assert.equal(res.status, 200);
  const doc = (await res.json()) as Record<string, unknown>;
  const base = `${h.emu.url}/${h.poolId}`;
  assert.equal(doc.issuer, issuer);
  assert.equal(doc.jwks_uri, `${issuer}/.well-known/jwks.json`);
  assert.equal(doc.authorization_endpoint, `${base}/oauth2/authorize`);
  assert.equal(doc.token_endpoint, `${base}/oauth2/token`);
  assert.equal(doc.userinfo_endpoint, `${base}/oauth2/userInfo`);
  assert.deepEqual(doc.response_types_supported, ['code']);
  assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(doc.grant_types_supported, ['authorization_code', 'refresh_token']);
  assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'none']);
  assert.deepEqual(doc.scopes_supported, ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']);
  const info = h.emu.poolByName('HostedPool')!;
  assert.equal(info.authorizationEndpoint, doc.authorization_endpoint);
  assert.equal(info.tokenEndpoint, doc.token_endpoint);
  assert.deepEqual(info.clients.find((c) => c.clientId === h.clientId)!.callbackUrls, [CALLBACK]);
});

test('openid-client: authorization code + PKCE as a public client, ID token verified, same sub as USER_PASSWORD_AUTH, refresh, userInfo', async () => {
  const config = await oidc.discovery(new URL(issuer), h.clientId, undefined, oidc.None(), insecure);
  const { url, verifier, nonce, state } = await authorize(config, 'openid email profile');
  assert.equal(url.origin + url.pathname, `${h.emu.url}/${h.poolId}/oauth2/authorize`);

  const res = await signIn(url, h.username, h.password);
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  assert.equal(location.origin + location.pathname, CALLBACK);
  assert.equal(location.searchParams.get('state'), state);
  assert.match(location.searchParams.get('code')!, /^[A-Za-z0-9_-]{43}$/);

  const tokens = await oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(tokens.expires_in, 3600);
  assert.ok(tokens.refresh_token);

  // The ID token verifies against the pool's JWKS with aud = client id and carries the nonce.
  const { payload: id, header } = await verifyViaDiscovery(h.emu.discoveryUrl(h.poolId), tokens.id_token!, { audience: h.clientId });
  assert.equal(header.alg, 'RS256');
  assert.equal(id.nonce, nonce);
  assert.equal(id.token_use, 'id');
  assert.equal(id['cognito:username'], 'alice');
  assert.equal(id.email, 'alice@example.com');
  assert.equal(id.email_verified, true);
  assert.equal(id.at_hash, createHash('sha256').update(tokens.access_token).digest().subarray(0, 16).toString('base64url'));

  // The access token carries the granted scopes and client_id, and no aud.
  const { payload: access } = await verifyViaDiscovery(h.emu.discoveryUrl(h.poolId), tokens.access_token);
  assert.equal(access.scope, 'openid email profile');
  assert.equal(access.client_id, h.clientId);
  assert.equal(access.aud, undefined);
  assert.equal(access.token_use, 'access');
  assert.equal(access.username, 'alice');
  assert.equal(access.sub, id.sub);
  assert.equal(access.auth_time, id.auth_time);

  // The same user's sub from USER_PASSWORD_AUTH.
  const direct = await h.cognito.send(new InitiateAuthCommand({ ClientId: h.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: h.password } }));
  assert.equal(decodeJwt(direct.AuthenticationResult!.IdToken!).sub, id.sub);
  assert.equal(decodeJwt(direct.AuthenticationResult!.AccessToken!).sub, id.sub);

  // userInfo: sub, username, and the attributes of the granted scopes (profile: all), *_verified as strings.
  const info = await oidc.fetchUserInfo(config, tokens.access_token, id.sub!);
  assert.deepEqual({ ...info }, { sub: id.sub, email: 'alice@example.com', email_verified: 'true', name: 'Alice', username: 'alice' });

  // Refresh: new access and ID tokens in the same session, same sub and scopes, no new refresh token.
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.equal(refreshed.refresh_token, undefined);
  const r = decodeJwt(refreshed.access_token);
  assert.equal(r.scope, 'openid email profile');
  assert.equal(r.origin_jti, access.origin_jti);
  assert.notEqual(r.jti, access.jti);
  const rid = decodeJwt(refreshed.id_token!);
  assert.equal(rid.sub, id.sub);
  assert.equal(rid.nonce, undefined);

  // Without aws.cognito.signin.user.admin the access token is not good for GetUser, as in Cognito.
  const err = await failure(() => h.cognito.send(new GetUserCommand({ AccessToken: tokens.access_token })));
  assert.equal(err.name, 'NotAuthorizedException');
  assert.equal(err.message, 'Access Token does not have required scopes');
});

test('requesting aws.cognito.signin.user.admin yields a token GetUser accepts; without openid there is no ID token', async () => {
  const config = await oidc.discovery(new URL(issuer), h.clientId, undefined, oidc.None(), insecure);
  const { url, verifier, state } = await authorize(config, 'aws.cognito.signin.user.admin');
  const res = await signIn(url, h.username, h.password);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: state });
  assert.equal(tokens.id_token, undefined);
  assert.equal(decodeJwt(tokens.access_token).scope, 'aws.cognito.signin.user.admin');
  const user = await h.cognito.send(new GetUserCommand({ AccessToken: tokens.access_token }));
  assert.equal(user.Username, 'alice');
});

test('a client with a secret authenticates with client_secret_basic and client_secret_post', async () => {
  for (const auth of [oidc.ClientSecretBasic(h.secret), oidc.ClientSecretPost(h.secret)]) {
    const config = await oidc.discovery(new URL(issuer), h.secretClientId, undefined, auth, insecure);
    const { url, verifier, nonce, state } = await authorize(config, 'openid email');
    const res = await signIn(url, h.username, h.password);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const { payload } = await verifyViaDiscovery(h.emu.discoveryUrl(h.poolId), tokens.id_token!, { audience: h.secretClientId });
    assert.equal(payload.nonce, nonce);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, payload.sub!);
    assert.deepEqual({ ...info }, { sub: payload.sub, email: 'alice@example.com', email_verified: 'true', username: 'alice' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(decodeJwt(refreshed.access_token).client_id, h.secretClientId);
  }
});

test('a user with a temporary password chooses a new one on the page, then the flow completes', async () => {
  await h.cognito.send(new AdminCreateUserCommand({ UserPoolId: h.poolId, Username: 'bob', TemporaryPassword: 'Temp-Pass-123', MessageAction: 'SUPPRESS' }));
  const config = await oidc.discovery(new URL(issuer), h.clientId, undefined, oidc.None(), insecure);
  const { url, verifier, nonce, state } = await authorize(config, 'openid');
  const jar = new CookieJar();
  const first = await signIn(url, 'bob', 'Temp-Pass-123', jar);
  assert.equal(first.status, 200);
  const page = await first.text();
  assert.match(page, /<h1>Change password<\/h1>/);
  const form = parseForm(page);
  assert.equal(form.action, `/${h.poolId}/new-password`);

  const mismatch = await submit(h.emu.url, form, { new_password: STRONG, confirm_password: `${STRONG}x` }, jar);
  assert.equal(alertText(await mismatch.text()), 'The passwords do not match.');
  const weak = await submit(h.emu.url, form, { new_password: 'short', confirm_password: 'short' }, jar);
  assert.equal(alertText(await weak.text()), 'Password did not conform with policy: Password not long enough');

  const done = await submit(h.emu.url, form, { new_password: STRONG, confirm_password: STRONG }, jar);
  assert.equal(done.status, 302);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(done.headers.get('location')!), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
  assert.equal(decodeJwt(tokens.id_token!)['cognito:username'], 'bob');
  const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: 'bob' }));
  assert.equal(user.UserStatus, 'CONFIRMED');
  const direct = await h.cognito.send(new InitiateAuthCommand({ ClientId: h.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'bob', PASSWORD: STRONG } }));
  assert.ok(direct.AuthenticationResult?.AccessToken);
  // The page cannot be submitted again once the code is issued.
  const replay = await submit(h.emu.url, form, { new_password: STRONG, confirm_password: STRONG }, jar);
  assert.equal(replay.status, 400);
});

test('login_hint prefills the username; the pages carry the security headers and no scripts', async () => {
  const config = await oidc.discovery(new URL(issuer), h.clientId, undefined, oidc.None(), insecure);
  const { url } = await authorize(config, 'openid');
  url.searchParams.set('login_hint', 'alice');
  const res = await fetch(url);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.equal(parseForm(html).fields.username, 'alice');
  assert.doesNotMatch(html, /<script|src=|href=/);
  assert.match(html, /<label for="username">Username<\/label>/);
  assert.match(html, /<label for="password">Password<\/label>/);
  // No form-action: a client's callback may redirect on to another origin (see hosted/pages.ts).
  assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.match(res.headers.get('set-cookie')!, new RegExp(`^mandate_userpool_browser=[A-Za-z0-9_-]+; Path=/${h.poolId}; HttpOnly; SameSite=Lax$`));
});
