import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ManualClock, MandateError, memoryLogger } from '@mandate/core';
import { listen } from '@mandate/http';
import { InboundJwtVerifier, checkDiscoveryUrl, issuerMatchesDiscovery, OutboundUrlError, type InboundJwtConfigInput } from '../src/inbound-jwt/index.ts';
import { makeKey, startIssuer, sign, NOW, NOW_MS, type LocalIssuer } from './inbound-jwt-fixtures.ts';

const issuers: LocalIssuer[] = [];
after(() => Promise.all(issuers.map((i) => i.close())));

async function issuer(path: string, keys: Parameters<typeof startIssuer>[1] = []) {
  const i = await startIssuer(path, keys);
  issuers.push(i);
  return i;
}

function setup(devMode = true) {
  const clock = new ManualClock(NOW_MS);
  const logger = memoryLogger();
  return { clock, logger, verifier: new InboundJwtVerifier({ clock, logger, devMode }) };
}

async function rejects(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MandateError);
    assert.equal(e.code, 'unauthorized');
    assert.equal(e.message, 'The bearer token is not valid for this resource.');
    return true;
  });
}

test('discovery URL rules: well-known suffix, https unless dev-mode loopback, no private literals', () => {
  const ok = (u: string, dev: boolean) => checkDiscoveryUrl(u, dev).href;
  const bad = (u: string, dev: boolean) => assert.throws(() => checkDiscoveryUrl(u, dev), OutboundUrlError, u);
  assert.equal(ok('https://idp.example/pool/.well-known/openid-configuration', false), 'https://idp.example/pool/.well-known/openid-configuration');
  assert.equal(ok('http://127.0.0.1:8080/p/.well-known/openid-configuration', true), 'http://127.0.0.1:8080/p/.well-known/openid-configuration');
  bad('https://idp.example/pool/.well-known/jwks.json', false);
  bad('https://idp.example/pool/.well-known/openid-configuration?x=1', false);
  bad('http://idp.example/.well-known/openid-configuration', false);
  bad('http://idp.example/.well-known/openid-configuration', true); // dev mode relaxes loopback only
  bad('http://127.0.0.1/.well-known/openid-configuration', false);
  for (const h of ['127.0.0.1', '[::1]', '169.254.169.254', '10.0.0.1', '192.168.1.1', '172.16.0.1', '0x7f000001', '2130706433', '[fd00::1]', '[::ffff:127.0.0.1]', 'localhost']) {
    bad(`https://${h}/.well-known/openid-configuration`, false);
  }
  bad('https://user:pw@idp.example/.well-known/openid-configuration', false);
});

test('discovery issuer must equal the URL prefix, except the Entra {tenantid} template on common/organizations', () => {
  const d = 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration';
  assert.equal(issuerMatchesDiscovery('https://login.microsoftonline.com/{tenantid}/v2.0', d), true);
  assert.equal(issuerMatchesDiscovery('https://login.microsoftonline.com/{tenantid}/v2.0', d.replace('common', 'organizations')), true);
  assert.equal(issuerMatchesDiscovery('https://login.microsoftonline.com/{tenantid}/v2.0', d.replace('common', 'evil')), undefined);
  assert.equal(issuerMatchesDiscovery('https://idp.example/p', 'https://idp.example/p/.well-known/openid-configuration'), false);
  assert.equal(issuerMatchesDiscovery('https://idp.example/q', 'https://idp.example/p/.well-known/openid-configuration'), undefined);
  assert.equal(issuerMatchesDiscovery('https://other.example/{tenantid}/v2.0', d), undefined);
});

test('a discovery document whose issuer differs from its URL is refused', async () => {
  const key = await makeKey('k');
  const i = await issuer('/mismatch', [key.jwk]);
  i.discovery = { issuer: 'http://127.0.0.1:1/elsewhere' };
  const { verifier } = setup();
  await rejects(verifier.verify(await sign(key, { iss: 'http://127.0.0.1:1/elsewhere', sub: 's', client_id: 'c', exp: NOW + 60 }), { discoveryUrl: i.discoveryUrl, allowedClients: ['c'] }));
  assert.equal(i.hits.jwks, 0);
});

test('redirects are not followed, oversized JWKS and non-JSON answers are refused', async () => {
  const key = await makeKey('k');
  const target = await issuer('/target', [key.jwk]);
  const redirector = createServer((_req, res) => res.writeHead(302, { location: target.discoveryUrl }).end());
  const r = await listen(redirector);
  try {
    const { verifier } = setup();
    const cfg = { discoveryUrl: `${r.url}/x/.well-known/openid-configuration`, allowedClients: ['c'] };
    await rejects(verifier.verify(await sign(key, { iss: target.issuer, sub: 's', client_id: 'c', exp: NOW + 60 }), cfg));
    assert.equal(target.hits.discovery, 0);
  } finally {
    await r.close();
  }
  const big = await issuer('/big', [key.jwk]);
  big.onJwks = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [key.jwk], pad: 'x'.repeat(600 * 1024) }));
    return true;
  };
  const { verifier } = setup();
  await rejects(verifier.verify(await sign(key, { iss: big.issuer, sub: 's', client_id: 'c', exp: NOW + 60 }), { discoveryUrl: big.discoveryUrl, allowedClients: ['c'] }));
  const html = await issuer('/html', [key.jwk]);
  html.onJwks = (_req, res) => (res.writeHead(200).end('<html>'), true);
  await rejects(verifier.verify(await sign(key, { iss: html.issuer, sub: 's', client_id: 'c', exp: NOW + 60 }), { discoveryUrl: html.discoveryUrl, allowedClients: ['c'] }));
});

test('metadata is cached; an unknown kid refetches at most once per cooldown; rotation is picked up', async () => {
  const k1 = await makeKey('k1');
  const k2 = await makeKey('k2');
  const i = await issuer('/rot', [k1.jwk]);
  const { verifier, clock } = setup();
  const cfg: InboundJwtConfigInput = { discoveryUrl: i.discoveryUrl, allowedClients: ['c'] };
  const claims = { iss: i.issuer, sub: 's', client_id: 'c', exp: NOW + 3600 };
  for (let n = 0; n < 5; n++) await verifier.verify(await sign(k1, claims), cfg);
  assert.deepEqual([i.hits.discovery, i.hits.jwks], [1, 1]);
  // An unknown kid right after the initial fetch is inside the cooldown: no refetch.
  const forged = await makeKey('zz');
  await rejects(verifier.verify(await sign({ ...forged, kid: 'early' }, claims), cfg));
  assert.deepEqual([i.hits.discovery, i.hits.jwks], [1, 1]);
  // A flood of random kids after the cooldown: exactly one (single-flight) refetch.
  clock.advance(31_000);
  await Promise.all(Array.from({ length: 200 }, async (_, n) => rejects(verifier.verify(await sign({ ...forged, kid: `rand-${n}` }, claims), cfg))));
  assert.deepEqual([i.hits.discovery, i.hits.jwks], [2, 2]);
  // Key rotation inside the cooldown is not seen yet...
  i.keys = [k1.jwk, k2.jwk];
  clock.advance(10_000);
  await rejects(verifier.verify(await sign(k2, claims), cfg));
  assert.equal(i.hits.jwks, 2);
  // ...and is picked up once the cooldown has passed.
  clock.advance(21_000);
  assert.equal((await verifier.verify(await sign(k2, claims), cfg)).subject, 's');
  assert.equal(i.hits.jwks, 3);
});

test('during an IdP outage the last good keys keep working; without any cached keys it fails closed', async () => {
  const k = await makeKey('k');
  const i = await issuer('/outage', [k.jwk]);
  const { verifier, clock } = setup();
  const cfg = { discoveryUrl: i.discoveryUrl, allowedClients: ['c'] };
  const claims = { iss: i.issuer, sub: 's', client_id: 'c', exp: NOW + 7 * 24 * 3600 };
  await verifier.verify(await sign(k, claims), cfg);
  i.failWith = 500;
  clock.advance(11 * 60_000); // past the max age: a refetch is attempted and fails
  assert.equal((await verifier.verify(await sign(k, claims), cfg)).subject, 's');
  clock.advance(25 * 3600_000); // past the stale limit
  await rejects(verifier.verify(await sign(k, claims), cfg));
  const fresh = setup().verifier;
  await rejects(fresh.verify(await sign(k, claims), cfg));
});

test('plain http discovery is refused outside dev mode', async () => {
  const k = await makeKey('k');
  const i = await issuer('/prod', [k.jwk]);
  const { verifier } = setup(false);
  await rejects(verifier.verify(await sign(k, { iss: i.issuer, sub: 's', client_id: 'c', exp: NOW + 60 }), { discoveryUrl: i.discoveryUrl, allowedClients: ['c'] }));
  assert.equal(i.hits.discovery, 0);
});

test('Entra {tenantid} templates: tid must be a GUID, iss must be the substituted issuer, key issuer must agree', async () => {
  const tidA = '11111111-2222-3333-4444-555555555555';
  const tidB = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
  const common = await makeKey('common', 'RS256');
  const tenantKey = await makeKey('tenant-a-only');
  const i = await issuer('/common/v2.0');
  const base = i.url;
  i.discovery = { issuer: `${base}/{tenantid}/v2.0` };
  i.keys = [{ ...common.jwk, issuer: `${base}/{tenantid}/v2.0` } as never, { ...tenantKey.jwk, issuer: `${base}/${tidA}/v2.0` } as never];
  const { verifier } = setup();
  const cfg = { discoveryUrl: i.discoveryUrl, allowedAudience: ['api://agent'] };
  const t = (key: typeof common, c: Record<string, unknown>) => sign(key, { sub: 'u', aud: 'api://agent', ver: '2.0', azp: 'c', exp: NOW + 60, ...c });
  const ok = await verifier.verify(await t(common, { tid: tidA, iss: `${base}/${tidA}/v2.0` }), cfg);
  assert.equal(ok.issuer, `${base}/${tidA}/v2.0`);
  assert.equal((await verifier.verify(await t(tenantKey, { tid: tidA, iss: `${base}/${tidA}/v2.0` }), cfg)).subject, 'u');
  // iss naming another tenant than tid
  await rejects(verifier.verify(await t(common, { tid: tidA, iss: `${base}/${tidB}/v2.0` }), cfg));
  // tid not a GUID (would otherwise let any string into the issuer)
  await rejects(verifier.verify(await t(common, { tid: 'evil', iss: `${base}/evil/v2.0` }), cfg));
  await rejects(verifier.verify(await t(common, { iss: `${base}/{tenantid}/v2.0` }), cfg));
  // tenant A's key vouching for tenant B
  await rejects(verifier.verify(await t(tenantKey, { tid: tidB, iss: `${base}/${tidB}/v2.0` }), cfg));
  // a v1 issuer when the v2 metadata is configured
  await rejects(verifier.verify(await t(common, { tid: tidA, ver: '1.0', iss: `${base}/${tidA}/` }), cfg));
});
