/** The admin API (/_emulator), seed validation, and persistence of the CA and signing key across restarts. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startEntraEmulator, demoSeed, parseSeed, loadSeedFile, SeedError, type EntraEmulator } from '../src/entra/index.ts';
import { completeAuthorization } from '../src/entra/browserless.ts';
import { trustCa } from '../src/tls/index.ts';
import { fixture } from './entra-helpers.ts';

const f = fixture();
let emu: EntraEmulator;

before(async () => {
  emu = await startEntraEmulator({ seed: f.seed, headless: true, adminToken: 'test-admin-token-0123456789' });
  trustCa(emu.caCertPem);
});
after(() => emu.close());

async function admin(method: string, path: string, body?: unknown, token = emu.adminToken) {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

async function tokenReq(body: Record<string, string>) {
  const res = await fetch(`${emu.url}/${f.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(body) });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

test('the admin API requires the bearer admin token', async () => {
  assert.equal(emu.adminToken, 'test-admin-token-0123456789');
  const none = await fetch(`${emu.url}/_emulator/tenants`);
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), { error: 'unauthorized', message: 'A valid admin bearer token is required.' });
  assert.equal((await admin('GET', '/tenants', undefined, 'wrong')).status, 401);
  const ok = await admin('GET', '/tenants');
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json.tenants, [{ id: f.tenantId, displayName: 'Contoso', domains: [f.domain], userCount: 2, appCount: 5 }]);
});

test('listing never reveals passwords or secret values', async () => {
  const users = await admin('GET', `/tenants/${f.domain}/users`);
  assert.equal((users.json.users as unknown[]).length, 2);
  assert.ok(!JSON.stringify(users.json).includes(f.alice.password));
  const apps = await admin('GET', `/tenants/${f.tenantId}/apps`);
  const client = (apps.json.apps as Record<string, unknown>[]).find((a) => a.appId === f.clientId)!;
  assert.deepEqual(client.clientSecrets, [{ id: (client.clientSecrets as { id: string }[])[0]!.id, hint: f.clientSecret.slice(0, 3) }]);
  assert.ok(!JSON.stringify(apps.json).includes(f.clientSecret));
});

test('add an app, then a redirect URI and a secret: both take effect immediately', async () => {
  const appId = randomUUID();
  const created = await admin('POST', `/tenants/${f.tenantId}/apps`, { appId, displayName: 'late app', scopes: [] });
  assert.equal(created.status, 201);
  assert.deepEqual(created.json.redirectUris, []);
  const cb = 'http://127.0.0.1:9999/oauth2/callback';
  const url = new URL(`${emu.url}/${f.tenantId}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({ client_id: appId, response_type: 'code', redirect_uri: cb, scope: `openid api://${f.apiId}/read`, login_hint: f.alice.username }).toString();
  const before = await fetch(url, { redirect: 'manual' });
  assert.equal(before.status, 400);
  assert.match(await before.text(), /AADSTS50011/);
  const added = await admin('POST', `/tenants/${f.tenantId}/apps/${appId}/redirect-uris`, { uri: cb });
  assert.deepEqual(added.json.redirectUris, [cb]);
  const back = await completeAuthorization(url.href, f.alice);
  assert.equal(back.origin + back.pathname, cb);
  const code = back.searchParams.get('code')!;

  const secret = await admin('POST', `/tenants/${f.tenantId}/apps/${appId}/client-secrets`, {});
  assert.equal(secret.status, 201);
  const value = String(secret.json.value);
  assert.ok(value.length >= 32);
  const r = await tokenReq({ grant_type: 'authorization_code', client_id: appId, client_secret: value, code, redirect_uri: cb });
  assert.equal(r.status, 200, JSON.stringify(r.json));

  const removed = await admin('DELETE', `/tenants/${f.tenantId}/apps/${appId}/redirect-uris?uri=${encodeURIComponent(cb)}`);
  assert.deepEqual(removed.json.redirectUris, []);
  assert.equal((await fetch(url, { redirect: 'manual' })).status, 400);
  const missing = await admin('DELETE', `/tenants/${f.tenantId}/apps/${appId}/redirect-uris`, { uri: cb });
  assert.deepEqual(missing, { status: 404, json: { error: 'not_found', message: `Redirect URI '${cb}' is not registered for app ${appId}.` } });
});

test('add a user who can sign in; invalid input is a precise 400', async () => {
  const created = await admin('POST', `/tenants/${f.tenantId}/users`, { username: `carol@${f.domain}`, password: 'carol-pw', displayName: 'Carol' });
  assert.equal(created.status, 201);
  assert.equal(created.json.username, `carol@${f.domain}`);
  assert.equal(created.json.password, undefined);
  const url = new URL(`${emu.url}/${f.tenantId}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({ client_id: f.clientId, response_type: 'code', redirect_uri: f.redirectUri, scope: `openid api://${f.apiId}/read`, prompt: 'login' }).toString();
  assert.ok((await completeAuthorization(url.href, { username: `carol@${f.domain}`, password: 'carol-pw' })).searchParams.get('code'));
  const dup = await admin('POST', `/tenants/${f.tenantId}/users`, { username: `carol@${f.domain}`, password: 'x' });
  assert.equal(dup.status, 409);
  const bad = await admin('POST', `/tenants/${f.tenantId}/users`, { username: 'no-at-sign' });
  assert.equal(bad.status, 400);
  assert.match(String(bad.json.message), /username: must look like user@domain/);
  assert.match(String(bad.json.message), /password: /);
  const badJson = await fetch(`${emu.url}/_emulator/tenants/${f.tenantId}/users`, { method: 'POST', headers: { authorization: `Bearer ${emu.adminToken}` }, body: '{' });
  assert.equal(badJson.status, 400);
  assert.equal((await admin('GET', '/tenants/nosuch.example/users')).status, 404);
});

test('admin consent removes consent_required for that scope', async () => {
  const url = new URL(`${emu.url}/${f.tenantId}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({ client_id: f.clientId, response_type: 'code', redirect_uri: f.redirectUri, scope: `openid offline_access api://${f.apiId}/read`, login_hint: f.bob.username }).toString();
  const code = (await completeAuthorization(url.href, f.bob)).searchParams.get('code')!;
  const first = await tokenReq({ grant_type: 'authorization_code', client_id: f.clientId, client_secret: f.clientSecret, code, redirect_uri: f.redirectUri });
  const refresh = () => tokenReq({ grant_type: 'refresh_token', client_id: f.clientId, client_secret: f.clientSecret, refresh_token: String(first.json.refresh_token), scope: `api://${f.apiId}/write` });
  assert.deepEqual((await refresh()).json.error_codes, [65001]);
  const granted = await admin('POST', `/tenants/${f.tenantId}/admin-consents`, { clientId: f.clientId, scopes: [`api://${f.apiId}/write`] });
  assert.equal(granted.status, 200);
  const after = await refresh();
  assert.equal(after.status, 200);
  assert.equal(after.json.scope, `api://${f.apiId}/write`);
  const unknown = await admin('POST', `/tenants/${f.tenantId}/admin-consents`, { clientId: f.clientId, scopes: [`api://${f.apiId}/delete`] });
  assert.equal(unknown.status, 400);
});

test('an expired client secret: AADSTS7000222', async () => {
  const s = await admin('POST', `/tenants/${f.tenantId}/apps/${f.clientId}/client-secrets`, { value: 'expired-secret-0123456789', expiresAt: '2020-01-01T00:00:00Z' });
  assert.equal(s.status, 201);
  const r = await tokenReq({ grant_type: 'client_credentials', client_id: f.clientId, client_secret: 'expired-secret-0123456789', scope: `api://${f.apiId}/.default` });
  assert.equal(r.status, 401);
  assert.deepEqual(r.json.error_codes, [7000222]);
});

test('seed validation lists every problem with its path', () => {
  assert.throws(() => parseSeed({ tenants: [{ id: 'nope', apps: [{ appId: randomUUID(), displayName: '', clientSecrets: [{ value: 'short' }] }] }] }), (e: unknown) => {
    assert.ok(e instanceof SeedError);
    assert.match(e.message, /tenants\.0\.id: must be a lower-case GUID/);
    assert.match(e.message, /tenants\.0\.apps\.0\.displayName: /);
    assert.match(e.message, /tenants\.0\.apps\.0\.clientSecrets\.0\.value: a client secret must be at least 16 characters/);
    return true;
  });
  assert.throws(() => parseSeed({ tenants: [] }), /tenants: at least one tenant is required/);
  const demo = parseSeed(demoSeed());
  assert.equal(demo.tenants[0]!.apps[0]!.displayName, 'mandate-agent');
  assert.equal(demo.tenants[0]!.apps[0]!.signInAudience, 'AzureADMultipleOrgs');
  assert.deepEqual(demo.tenants[0]!.users.map((u) => u.username.split('@')[0]), ['alice', 'bob']);
});

test('seed files: JSON errors and schema errors name the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'entra-seed-'));
  try {
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify(demoSeed()));
    assert.equal((await loadSeedFile(good)).tenants.length, 1);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"tenants": [');
    await assert.rejects(loadSeedFile(broken), (e: unknown) => e instanceof SeedError && e.message.startsWith(`Entra emulator seed ${broken} is not valid JSON`));
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ tenants: [{ id: randomUUID(), users: [{ username: 'x@y', password: '' }] }] }));
    await assert.rejects(loadSeedFile(bad), (e: unknown) => e instanceof SeedError && e.message.includes(`Invalid Entra emulator seed ${bad}:`) && e.message.includes('tenants.0.users.0.password'));
    await assert.rejects(loadSeedFile(join(dir, 'missing.json')), /Cannot read Entra emulator seed .*missing\.json: ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the CA and the signing key persist in dataDir: tokens verify after a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'entra-emu-'));
  try {
    const seed = demoSeed();
    const t = seed.tenants[0]!;
    const app = t.apps![0]!;
    const one = await startEntraEmulator({ seed, dataDir: dir });
    trustCa(one.caCertPem);
    assert.equal(one.caCertFile, join(dir, 'ca.pem'));
    assert.equal(await readFile(one.caCertFile!, 'utf8'), one.caCertPem);
    const res = await fetch(`${one.url}/${t.id}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.appId, client_secret: app.clientSecrets![0]!.value, scope: `api://${app.appId}/.default` }) });
    const at = String((await res.json() as Record<string, unknown>).access_token);
    await one.close();
    const two = await startEntraEmulator({ seed, dataDir: dir, port: 0 });
    try {
      assert.equal(two.caCertPem, one.caCertPem);
      const jwks = await (await fetch(`${two.url}/${t.id}/discovery/v2.0/keys`)).json() as { keys: import('jose').JWK[] };
      const { payload } = await jwtVerify(at, createLocalJWKSet(jwks), { audience: app.appId });
      assert.equal(payload.tid, t.id);
    } finally {
      await two.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
