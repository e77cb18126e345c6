/** Standards-strict clients (openid-client, jose) and the Entra wire shapes: discovery, JWKS, v1/v2 tokens, refresh. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startEntraEmulator, type EntraEmulator } from '../src/entra/index.ts';
import { completeAuthorization } from '../src/entra/browserless.ts';
import { trustCa } from '../src/tls/index.ts';
import { decodeJwt, fixture } from './entra-helpers.ts';

const f = fixture();
let emu: EntraEmulator;

before(async () => {
  emu = await startEntraEmulator({ seed: f.seed, headless: true });
  trustCa(emu.caCertPem);
});
after(() => emu.close());

async function token(body: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/${f.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(body) });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

test('openid-client completes auth code + PKCE; the access token verifies with jose against the JWKS', async () => {
  const config = await oidc.discovery(new URL(`${emu.url}/${f.tenantId}/v2.0`), f.clientId, f.clientSecret);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: f.redirectUri, scope: `openid profile offline_access api://${f.apiId}/read`, state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', login_hint: f.alice.username,
  });
  const back = await completeAuthorization(url.href, f.alice);
  const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const idClaims = tokens.claims()!;
  assert.equal(idClaims.iss, `${emu.url}/${f.tenantId}/v2.0`);
  assert.equal(idClaims.aud, f.clientId);
  assert.equal(idClaims.tid, f.tenantId);
  assert.equal(idClaims.ver, '2.0');
  assert.equal(idClaims.preferred_username, f.alice.username);
  assert.match(String(idClaims.sid), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/); // derived, not the cookie value
  assert.ok(tokens.refresh_token);

  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
    issuer: `${emu.url}/${f.tenantId}/v2.0`, audience: f.apiId, algorithms: ['RS256'],
  });
  assert.equal(protectedHeader.typ, 'JWT');
  assert.equal(protectedHeader.x5t, undefined); // v2 tokens carry only kid
  assert.equal(payload.scp, 'read');
  assert.equal(payload.tid, f.tenantId);
  assert.equal(payload.ver, '2.0');
  assert.equal(payload.azp, f.clientId);
  assert.equal(payload.azpacr, '1');
  assert.equal(payload.oid, idClaims.oid);
  assert.match(String(payload.uti), /^[A-Za-z0-9_-]+$/);
  const lifetime = payload.exp! - payload.iat!;
  assert.ok(lifetime >= 3600 && lifetime <= 5400, `lifetime ${lifetime}`);
  assert.notEqual(payload.sub, idClaims.sub); // pairwise per app

  // Refresh: scope re-selects the resource (a v1 API now); a new RT each time; the old RT stays valid.
  const r1 = await token({ grant_type: 'refresh_token', client_id: f.clientId, client_secret: f.clientSecret, refresh_token: tokens.refresh_token!, scope: `api://${f.apiId}/read offline_access` });
  assert.equal(r1.status, 200);
  assert.notEqual(r1.json.refresh_token, tokens.refresh_token);
  const again = await token({ grant_type: 'refresh_token', client_id: f.clientId, client_secret: f.clientSecret, refresh_token: tokens.refresh_token!, scope: `api://${f.apiId}/read` });
  assert.equal(again.status, 200);
  assert.equal(again.json.scope, `api://${f.apiId}/read`);
});

test('v1 resource: sts issuer, aud = identifier used, appid/appidacr, x5t header', async () => {
  const url = new URL(`${emu.url}/${f.domain}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({ client_id: f.clientId, response_type: 'code', redirect_uri: f.redirectUri, scope: `openid offline_access api://${f.apiV1Id}/read`, login_hint: f.bob.username }).toString();
  const code = (await completeAuthorization(url.href, f.bob)).searchParams.get('code')!;
  const r = await token({ grant_type: 'authorization_code', client_id: f.clientId, client_secret: f.clientSecret, code, redirect_uri: f.redirectUri, scope: `api://${f.apiV1Id}/read` });
  assert.equal(r.status, 200);
  const { header, payload } = decodeJwt(String(r.json.access_token));
  assert.equal(header.x5t, header.kid);
  assert.equal(payload.iss, `https://${new URL(emu.url).host}/${f.tenantId}/`);
  assert.equal(payload.aud, `api://${f.apiV1Id}`);
  assert.equal(payload.appid, f.clientId);
  assert.equal(payload.appidacr, '1');
  assert.equal(payload.upn, f.bob.username);
  assert.equal(payload.ver, '1.0');
  assert.equal(payload.azp, undefined);
});

test('discovery by domain alias uses the GUID issuer; common has the {tenantid} template; JWKS has x5t and issuer', async () => {
  const byDomain = await (await fetch(`${emu.url}/${f.domain}/v2.0/.well-known/openid-configuration`)).json() as Record<string, unknown>;
  assert.equal(byDomain.issuer, `${emu.url}/${f.tenantId}/v2.0`);
  assert.equal(byDomain.token_endpoint, `${emu.url}/${f.tenantId}/oauth2/v2.0/token`);
  assert.equal(byDomain.device_authorization_endpoint, `${emu.url}/${f.tenantId}/oauth2/v2.0/devicecode`);
  assert.equal(byDomain.code_challenge_methods_supported, undefined);
  assert.equal(byDomain.pushed_authorization_request_endpoint, undefined);
  assert.deepEqual(byDomain.token_endpoint_auth_methods_supported, ['client_secret_post', 'private_key_jwt', 'client_secret_basic']);
  const common = await (await fetch(`${emu.url}/common/v2.0/.well-known/openid-configuration`)).json() as Record<string, unknown>;
  assert.equal(common.issuer, `${emu.url}/{tenantid}/v2.0`);
  assert.equal(common.authorization_endpoint, `${emu.url}/common/oauth2/v2.0/authorize`);
  assert.equal(common.tenant_region_scope, null);
  const keys = await (await fetch(`${emu.url}/${f.tenantId}/discovery/v2.0/keys`)).json() as { keys: Record<string, unknown>[] };
  assert.equal(keys.keys.length, 1);
  const k = keys.keys[0]!;
  assert.equal(k.kid, k.x5t);
  assert.equal(k.issuer, `${emu.url}/{tenantid}/v2.0`);
  assert.deepEqual([k.kty, k.use], ['RSA', 'sig']);
  assert.equal((k.x5c as string[]).length, 1);
});

test('client credentials with HTTP Basic; issuerHost changes issuers but not endpoints', async () => {
  const res = await fetch(`${emu.url}/${f.tenantId}/oauth2/v2.0/token`, {
    method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', scope: `api://${f.apiId}/.default` }),
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(f.clientId)}:${encodeURIComponent(f.clientSecret)}`).toString('base64')}` },
  });
  assert.equal(res.status, 200);
  const body = await res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
  const other = await startEntraEmulator({ seed: f.seed, issuerHost: 'login.microsoftonline.com', stsHost: 'sts.windows.net' });
  trustCa(other.caCertPem);
  try {
    const doc = await (await fetch(`${other.url}/${f.tenantId}/v2.0/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    assert.equal(doc.issuer, `https://login.microsoftonline.com/${f.tenantId}/v2.0`);
    assert.equal(doc.token_endpoint, `${other.url}/${f.tenantId}/oauth2/v2.0/token`);
  } finally {
    await other.close();
  }
});

test('response_mode form_post and fragment; logout redirects only to a registered URI', async () => {
  const base = { client_id: f.clientId, response_type: 'code', redirect_uri: f.redirectUri, scope: `openid api://${f.apiId}/read`, login_hint: f.alice.username, state: 'fp' };
  const u = new URL(`${emu.url}/${f.tenantId}/oauth2/v2.0/authorize`);
  u.search = new URLSearchParams({ ...base, response_mode: 'form_post' }).toString();
  const page = await fetch(u);
  assert.equal(page.status, 200);
  const csp = page.headers.get('content-security-policy')!;
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
  assert.match(csp, /form-action http:\/\/localhost:8400/);
  const html = await page.text();
  assert.match(html, /<form method="post" action="http:\/\/localhost:8400\/callback"/);
  assert.match(html, /name="code" value="[A-Za-z0-9_-]{64}"/);
  assert.match(html, /name="state" value="fp"/);
  u.search = new URLSearchParams({ ...base, response_mode: 'fragment' }).toString();
  const frag = await fetch(u, { redirect: 'manual' });
  const loc = new URL(frag.headers.get('location')!);
  assert.equal(loc.search, '');
  assert.ok(new URLSearchParams(loc.hash.slice(1)).get('code'));

  const out = await fetch(`${emu.url}/${f.tenantId}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(f.redirectUri)}`, { redirect: 'manual' });
  assert.equal(out.status, 302);
  assert.equal(out.headers.get('location'), f.redirectUri);
  const evil = await fetch(`${emu.url}/${f.tenantId}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
  assert.equal(evil.status, 200);
  assert.match(await evil.text(), /You signed out of your account/);
});

test('two tenants on one emulator: a multi-tenant app works in both with distinct issuers; a single-tenant app only at home', async () => {
  const other = '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
  const seed = structuredClone(f.seed);
  seed.tenants.push({ id: other, domains: ['fabrikam.onmicrosoft.com'], users: [{ username: 'erin@fabrikam.onmicrosoft.com', password: 'erin-pw' }] });
  const two = await startEntraEmulator({ seed, headless: true });
  trustCa(two.caCertPem);
  try {
    const cc = async (tenant: string, clientId: string, secret: string) => {
      const res = await fetch(`${two.url}/${tenant}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `api://${f.apiId}/.default` }) });
      return { status: res.status, json: await res.json() as Record<string, unknown> };
    };
    // The API app is single-tenant (home: Contoso), so in Fabrikam it is an unknown resource.
    const inOther = await cc(other, f.clientId, f.clientSecret);
    assert.equal(inOther.status, 400);
    assert.deepEqual(inOther.json.error_codes, [500011]);
    const home = await cc(f.tenantId, f.clientId, f.clientSecret);
    assert.equal(decodeJwt(String(home.json.access_token)).payload.tid, f.tenantId);

    // The multi-tenant client signs in a Fabrikam user for its own API in Fabrikam.
    const u = new URL(`${two.url}/fabrikam.onmicrosoft.com/oauth2/v2.0/authorize`);
    u.search = new URLSearchParams({ client_id: f.clientId, response_type: 'code', redirect_uri: f.redirectUri, scope: `openid api://${f.clientId}/read`, login_hint: 'erin@fabrikam.onmicrosoft.com' }).toString();
    const code = (await completeAuthorization(u.href, { username: 'erin@fabrikam.onmicrosoft.com', password: 'erin-pw' })).searchParams.get('code')!;
    const res = await fetch(`${two.url}/${other}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: f.clientId, client_secret: f.clientSecret, code, redirect_uri: f.redirectUri }) });
    const body = await res.json() as Record<string, unknown>;
    const p = decodeJwt(String(body.access_token)).payload;
    assert.equal(p.tid, other);
    assert.equal(p.iss, `${two.url}/${other}/v2.0`);
    assert.equal(p.aud, f.clientId);
    // A single-tenant app (the API, home: Contoso) is unknown in Fabrikam.
    const cpub = await fetch(`${two.url}/${other}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: f.apiId, client_secret: 'x'.repeat(20), scope: `api://${f.clientId}/.default` }) });
    assert.deepEqual((await cpub.json() as Record<string, unknown>).error_codes, [700016]);
  } finally {
    await two.close();
  }
});
