/** Every bad input gets Entra's exact error shape and AADSTS code — never a 500 or a stack trace. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from '@mandate/core';
import { startEntraEmulator, type EntraEmulator } from '../src/entra/index.ts';
import { completeAuthorization, completeDeviceCode } from '../src/entra/browserless.ts';
import { SignJWT, importPKCS8 } from 'jose';
import { createRsaCert, thumbprints, trustCa } from '../src/tls/index.ts';
import { fixture } from './entra-helpers.ts';

const cert = await createRsaCert('assertion test');
const f = fixture({ clientCertPem: cert.certPem });
const clock = new ManualClock(Date.now());
let emu: EntraEmulator;
const verifier = 'v'.repeat(43) + 'erifier';
const challenge = createHash('sha256').update(verifier).digest('base64url');

before(async () => {
  emu = await startEntraEmulator({ seed: f.seed, clock }); // not headless: codes come through the real pages
  trustCa(emu.caCertPem);
});
after(() => emu.close());

function authorizeUrl(extra: Record<string, string> = {}, tenant = f.tenantId): string {
  const u = new URL(`${emu.url}/${tenant}/oauth2/v2.0/authorize`);
  u.search = new URLSearchParams({
    client_id: f.clientId, response_type: 'code', redirect_uri: f.redirectUri, scope: `openid offline_access api://${f.apiId}/read`,
    state: 's1', code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  }).toString();
  return u.href;
}

async function code(user = f.alice): Promise<string> {
  const back = await completeAuthorization(authorizeUrl(), user);
  const c = back.searchParams.get('code');
  assert.ok(c, `no code: ${back.href}`);
  return c;
}

async function post(path: string, body: Record<string, string> | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new URLSearchParams(body), headers });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
}

const tokenPath = () => `/${f.tenantId}/oauth2/v2.0/token`;
const redeem = (c: string, extra: Record<string, string> = {}) => post(tokenPath(), {
  grant_type: 'authorization_code', client_id: f.clientId, client_secret: f.clientSecret, code: c, redirect_uri: f.redirectUri, code_verifier: verifier, ...extra,
});

function assertEntraError(r: { status: number; json: Record<string, unknown> }, status: number, error: string, aadsts: number): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.error, error);
  assert.deepEqual(r.json.error_codes, [aadsts]);
  const d = String(r.json.error_description);
  assert.ok(d.startsWith(`AADSTS${aadsts}: `), d);
  assert.match(d, /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.match(String(r.json.trace_id), /^[0-9a-f-]{36}$/);
  assert.match(String(r.json.correlation_id), /^[0-9a-f-]{36}$/);
  assert.match(String(r.json.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.doesNotMatch(JSON.stringify(r.json), /at .*\.ts:\d+|Error: /);
}

test('unknown tenant: AADSTS90002 on token and discovery', async () => {
  const r = await post('/00000000-0000-0000-0000-00000000dead/oauth2/v2.0/token', { grant_type: 'client_credentials' });
  assertEntraError(r, 400, 'invalid_request', 90002);
  const d = await fetch(`${emu.url}/nosuch.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
  assertEntraError({ status: d.status, json: await d.json() as Record<string, unknown> }, 400, 'invalid_request', 90002);
});

test('bad secret: 401 invalid_client AADSTS7000215; correlation id echoes client-request-id; no credential: 7000218', async () => {
  const corr = '11111111-2222-3333-4444-555555555555';
  const r = await post(tokenPath(), { grant_type: 'client_credentials', client_id: f.clientId, client_secret: 'wrong-secret-value-123', scope: `api://${f.apiId}/.default` }, { 'client-request-id': corr });
  assertEntraError(r, 401, 'invalid_client', 7000215);
  assert.equal(r.json.correlation_id, corr);
  assert.ok(!JSON.stringify(r.json).includes('wrong-secret-value-123'));
  assertEntraError(await post(tokenPath(), { grant_type: 'client_credentials', client_id: f.clientId, scope: `api://${f.apiId}/.default` }), 401, 'invalid_client', 7000218);
  assertEntraError(await post(tokenPath(), { grant_type: 'client_credentials', client_id: '0a0a0a0a-0000-4000-8000-000000000000', client_secret: 'x'.repeat(20), scope: `api://${f.apiId}/.default` }), 400, 'unauthorized_client', 700016);
});

test('replayed code: AADSTS54005, and the refresh token from the first redemption stays valid', async () => {
  const c = await code();
  const first = await redeem(c);
  assert.equal(first.status, 200);
  assertEntraError(await redeem(c), 400, 'invalid_grant', 54005);
  const rt = await post(tokenPath(), { grant_type: 'refresh_token', client_id: f.clientId, client_secret: f.clientSecret, refresh_token: String(first.json.refresh_token), scope: `api://${f.apiId}/read` });
  assert.equal(rt.status, 200);
});

test('expired code (after 10 minutes): AADSTS70008', async () => {
  const c = await code();
  clock.advance(11 * 60_000);
  assertEntraError(await redeem(c), 400, 'invalid_grant', 70008);
});

test('PKCE mismatch: AADSTS501481; missing verifier: 900144', async () => {
  assertEntraError(await redeem(await code(), { code_verifier: 'w'.repeat(50) }), 400, 'invalid_grant', 501481);
  const c = await code();
  const r = await post(tokenPath(), { grant_type: 'authorization_code', client_id: f.clientId, client_secret: f.clientSecret, code: c, redirect_uri: f.redirectUri });
  assertEntraError(r, 400, 'invalid_request', 900144);
});

test('wrong redirect URI: an HTML error page with AADSTS50011, never a redirect', async () => {
  const res = await fetch(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('location'), null);
  assert.match(res.headers.get('content-type')!, /^text\/html/);
  const html = await res.text();
  assert.match(html, /AADSTS50011: The redirect URI &#39;https:\/\/evil.example\/cb&#39; specified in the request does not match/);
  const unknown = await fetch(authorizeUrl({ client_id: '0a0a0a0a-0000-4000-8000-000000000000' }), { redirect: 'manual' });
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /AADSTS700016/);
  const badTenant = await fetch(authorizeUrl({}, 'nosuch.onmicrosoft.com'), { redirect: 'manual' });
  assert.equal(badTenant.status, 400);
  assert.match(await badTenant.text(), /AADSTS90002/);
});

test('authorize errors after the redirect URI is verified go to the redirect URI', async () => {
  const r1 = await fetch(authorizeUrl({ scope: `api://${f.apiId}/nope` }), { redirect: 'manual' });
  const l1 = new URL(r1.headers.get('location')!);
  assert.equal(l1.origin + l1.pathname, f.redirectUri);
  assert.equal(l1.searchParams.get('error'), 'invalid_scope');
  assert.match(l1.searchParams.get('error_description')!, /^AADSTS650053: /);
  assert.equal(l1.searchParams.get('state'), 's1');
  const r2 = await fetch(authorizeUrl({ prompt: 'none' }), { redirect: 'manual' });
  const l2 = new URL(r2.headers.get('location')!);
  assert.equal(l2.searchParams.get('error'), 'login_required');
  assert.match(l2.searchParams.get('error_description')!, /^AADSTS50058: .*\r\nTrace ID: /s);
  const r3 = await fetch(authorizeUrl({ response_type: 'token' }), { redirect: 'manual' });
  assert.equal(new URL(r3.headers.get('location')!).searchParams.get('error'), 'unsupported_response_type');
});

test('RFC 8707 resource: an unknown one is AADSTS500011, one that is not the scopes\' App ID URI is AADSTS9010010, the exact App ID URI passes', async () => {
  const errorOf = async (extra: Record<string, string>) => {
    const res = await fetch(authorizeUrl(extra), { redirect: 'manual' });
    const l = new URL(res.headers.get('location')!);
    return [l.searchParams.get('error'), l.searchParams.get('error_description')?.split(':')[0] ?? null];
  };
  assert.deepEqual(await errorOf({ resource: 'https://mcp.example.com/mcp' }), ['invalid_resource', 'AADSTS500011']);
  assert.deepEqual(await errorOf({ resource: f.apiId }), ['invalid_resource', 'AADSTS500011'], 'an app id is not an Application ID URI');
  assert.deepEqual(await errorOf({ resource: `api://${f.apiId}`, scope: 'openid User.Read' }), ['invalid_target', 'AADSTS9010010']);
  const ok = new URL((await fetch(authorizeUrl({ resource: `api://${f.apiId}` }), { redirect: 'manual' })).headers.get('location') ?? 'http://x/');
  assert.equal(ok.searchParams.get('error'), null);
});

test('Cancel on the consent page: access_denied AADSTS65004 to the redirect URI', async () => {
  const back = await completeAuthorization(authorizeUrl({ scope: `api://${f.apiId}/write` }), f.bob, { consent: false });
  assert.equal(back.origin + back.pathname, f.redirectUri);
  assert.equal(back.searchParams.get('error'), 'access_denied');
  assert.match(back.searchParams.get('error_description')!, /^AADSTS65004: User declined to consent/);
  assert.equal(back.searchParams.get('state'), 's1');
});

test('a scope that needs admin consent: consent_required AADSTS90094 until an admin grants it', async () => {
  const url = authorizeUrl({ scope: `openid api://${f.apiId}/manage` });
  const back = await completeAuthorization(url, f.bob);
  assert.equal(back.searchParams.get('error'), 'consent_required');
  assert.match(back.searchParams.get('error_description')!, /^AADSTS90094: The grant requires admin permission/);
  emu.directory.grantAdminConsent(f.tenantId, f.clientId, [`api://${f.apiId}/manage`]);
  const ok = await completeAuthorization(url, f.bob);
  const r = await redeem(ok.searchParams.get('code')!, { scope: `api://${f.apiId}/manage` });
  assert.equal(r.status, 200);
  assert.equal(r.json.scope, `api://${f.apiId}/manage`);
});

test('unconsented scope on refresh: invalid_grant + suberror consent_required, AADSTS65001', async () => {
  const first = await redeem(await code());
  const r = await post(tokenPath(), { grant_type: 'refresh_token', client_id: f.clientId, client_secret: f.clientSecret, refresh_token: String(first.json.refresh_token), scope: `api://${f.apiId}/write` });
  assertEntraError(r, 400, 'invalid_grant', 65001);
  assert.equal(r.json.suberror, 'consent_required');
});

test('malformed token requests', async () => {
  assertEntraError(await post(tokenPath(), {}), 400, 'invalid_request', 900144);
  assertEntraError(await post(tokenPath(), { grant_type: 'password' }), 400, 'unsupported_grant_type', 70003);
  assertEntraError(await post(tokenPath(), '{"grant_type":"client_credentials"}', { 'content-type': 'application/json' }), 400, 'invalid_request', 90023);
  assertEntraError(await post(tokenPath(), 'grant_type=client_credentials&grant_type=refresh_token', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request', 9002313);
  const cc = (scope: string) => post(tokenPath(), { grant_type: 'client_credentials', client_id: f.clientId, client_secret: f.clientSecret, scope });
  assertEntraError(await cc(`api://${f.apiId}/read`), 400, 'invalid_scope', 1002012);
  assertEntraError(await cc('api://unknown-thing/.default'), 400, 'invalid_resource', 500011);
  const big = await post(tokenPath(), `grant_type=${'x'.repeat(100_000)}`, { 'content-type': 'application/x-www-form-urlencoded' });
  assertEntraError(big, 400, 'invalid_request', 500021);
  const notFound = await fetch(`${emu.url}/nothing/here`);
  assert.equal(notFound.status, 404);
  assert.equal((await notFound.json() as Record<string, unknown>).error, 'invalid_request');
  const wrongMethod = await fetch(`${emu.url}${tokenPath()}`);
  assertEntraError({ status: wrongMethod.status, json: await wrongMethod.json() as Record<string, unknown> }, 400, 'invalid_request', 900561);
});

test('a code redemption naming two resources: AADSTS700022', async () => {
  const c = await code();
  const r = await redeem(c, { scope: `api://${f.apiId}/read api://${f.downstreamId}/read` });
  assertEntraError(r, 400, 'invalid_scope', 700022);
});

test('OBO with an assertion for another audience: AADSTS50013', async () => {
  const first = await redeem(await code());
  const r = await post(tokenPath(), {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', requested_token_use: 'on_behalf_of', client_id: f.clientId, client_secret: f.clientSecret,
    assertion: String(first.json.access_token), scope: `api://${f.downstreamId}/read`,
  });
  assertEntraError(r, 400, 'invalid_grant', 50013);
  const garbage = await post(tokenPath(), {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', requested_token_use: 'on_behalf_of', client_id: f.clientId, client_secret: f.clientSecret,
    assertion: 'not.a.jwt', scope: `api://${f.downstreamId}/read`,
  });
  assertEntraError(garbage, 400, 'invalid_grant', 50013);
});

test('device code: pending, then declined', async () => {
  // `write` is not admin-consented for the CLI app, so the consent page appears and can be cancelled.
  const d = await post(`/${f.tenantId}/oauth2/v2.0/devicecode`, { client_id: f.publicId, scope: `api://${f.apiId}/write` });
  assert.equal(d.status, 200);
  assert.deepEqual(Object.keys(d.json).sort(), ['device_code', 'expires_in', 'interval', 'message', 'user_code', 'verification_uri']);
  const poll = () => post(tokenPath(), { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: f.publicId, device_code: String(d.json.device_code) });
  assertEntraError(await poll(), 400, 'authorization_pending', 70016);
  await completeDeviceCode(String(d.json.verification_uri), String(d.json.user_code), f.alice, { consent: false });
  assertEntraError(await poll(), 400, 'authorization_declined', 70020);
  // A confidential app may start the flow but cannot redeem it without its credential.
  const conf = await post(`/${f.tenantId}/oauth2/v2.0/devicecode`, { client_id: f.clientId, scope: `api://${f.apiId}/read` });
  assert.equal(conf.status, 200);
  assertEntraError(await post(tokenPath(), { grant_type: 'device_code', client_id: f.clientId, device_code: String(conf.json.device_code) }), 401, 'invalid_client', 7000218);
});

test('wrong password keeps the sign-in page with an error and issues nothing', async () => {
  await assert.rejects(completeAuthorization(authorizeUrl(), { username: f.alice.username, password: 'nope' }), /sign-in was rejected/);
});

test('client assertions: wrong audience 700023, replayed jti 7000274, unknown key 700027', async () => {
  const key = await importPKCS8(cert.keyPem, 'PS256');
  const now = Math.floor(clock.now() / 1000);
  const sign = (aud: string, jti: string, x5t = thumbprints(cert.certPem).x5tS256) => new SignJWT({ jti })
    .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': x5t })
    .setIssuer(f.clientId).setSubject(f.clientId).setAudience(aud).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).sign(key);
  const cc = (assertion: string) => post(tokenPath(), {
    grant_type: 'client_credentials', client_id: f.clientId, scope: `api://${f.apiId}/.default`,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
  });
  assertEntraError(await cc(await sign('https://elsewhere.example/token', 'a1')), 401, 'invalid_client', 700023);
  const good = await sign(`${emu.url}/${f.tenantId}/oauth2/v2.0/token`, 'a2');
  assert.equal((await cc(good)).status, 200);
  assertEntraError(await cc(good), 401, 'invalid_client', 7000274);
  assertEntraError(await cc(await sign(`${emu.url}/${f.tenantId}/oauth2/v2.0/token`, 'a3', 'A'.repeat(43))), 401, 'invalid_client', 700027);
});

test('device code expires after 15 minutes: expired_token AADSTS70019', async () => {
  const d = await post(`/${f.tenantId}/oauth2/v2.0/devicecode`, { client_id: f.publicId, scope: `api://${f.apiId}/read` });
  clock.advance(16 * 60_000);
  const r = await post(tokenPath(), { grant_type: 'device_code', client_id: f.publicId, device_code: String(d.json.device_code) });
  assertEntraError(r, 400, 'expired_token', 70019);
});
