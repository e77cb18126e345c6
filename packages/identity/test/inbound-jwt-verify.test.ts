import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ManualClock, MandateError, memoryLogger } from '@mandate/core';
import { InboundJwtVerifier, type InboundJwtConfigInput } from '../src/inbound-jwt/index.ts';
import { makeKey, startIssuer, sign, signRawRs256, NOW, NOW_MS, type LocalIssuer, type SigningKey } from './inbound-jwt-fixtures.ts';

let iss: LocalIssuer;
let rsa: SigningKey;
let ec: SigningKey;
let other: SigningKey; // not published
const clock = new ManualClock(NOW_MS);
const logger = memoryLogger();
let verifier: InboundJwtVerifier;
let base: InboundJwtConfigInput;

before(async () => {
  rsa = await makeKey('rsa-1');
  ec = await makeKey('ec-1', 'ES256');
  other = await makeKey('rsa-1'); // same kid, different key: signature must fail
  iss = await startIssuer('/pool', [rsa.jwk, ec.jwk]);
  verifier = new InboundJwtVerifier({ clock, logger, devMode: true });
  base = { discoveryUrl: iss.discoveryUrl, allowedClients: ['client-a'] };
});
after(() => iss.close());

const claims = (extra: Record<string, unknown> = {}) => ({ iss: iss.issuer, sub: 'user-1', client_id: 'client-a', iat: NOW, exp: NOW + 3600, ...extra });

async function rejects(token: string, config: InboundJwtConfigInput = base): Promise<void> {
  await assert.rejects(verifier.verify(token, config), (e: unknown) => {
    assert.ok(e instanceof MandateError);
    assert.equal(e.code, 'unauthorized');
    assert.equal(e.status, 401);
    assert.equal(e.awsType, 'UnauthorizedException');
    assert.equal(e.message, 'The bearer token is not valid for this resource.');
    assert.deepEqual(e.headers, { 'www-authenticate': 'Bearer error="invalid_token"' });
    return true;
  });
}

test('a valid RS256 Cognito-style access token is accepted', async () => {
  const r = await verifier.verify(await sign(rsa, claims({ scope: 'read write' })), base);
  assert.equal(r.issuer, iss.issuer);
  assert.equal(r.subject, 'user-1');
  assert.equal(r.clientId, 'client-a');
  assert.equal(r.claims.scope, 'read write');
});

test('ES256 is accepted', async () => {
  const r = await verifier.verify(await sign(ec, claims()), base);
  assert.equal(r.subject, 'user-1');
});

test('alg none, HS256 (key confusion with the RSA modulus), and a foreign signature are rejected', async () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = b64(claims());
  await rejects(`${b64({ alg: 'none', kid: 'rsa-1' })}.${body}.`);
  const hsInput = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${body}`;
  const hmac = createHmac('sha256', String(rsa.jwk.n)).update(hsInput).digest('base64url');
  await rejects(`${hsInput}.${hmac}`);
  await rejects(await sign(other, claims()));
  // Null signature.
  const good = await sign(rsa, claims());
  await rejects(good.slice(0, good.lastIndexOf('.') + 1));
});

test('exp is required, expiry and nbf are enforced with a small tolerance', async () => {
  await rejects(await sign(rsa, { iss: iss.issuer, sub: 'u', client_id: 'client-a' }));
  await rejects(await sign(rsa, claims({ exp: NOW - 31 })));
  assert.equal((await verifier.verify(await sign(rsa, claims({ exp: NOW - 10 })), base)).subject, 'user-1');
  await rejects(await sign(rsa, claims({ nbf: NOW + 120 })));
  assert.equal((await verifier.verify(await sign(rsa, claims({ nbf: NOW + 10 })), base)).subject, 'user-1');
});

test('iss must match exactly; sub is required', async () => {
  await rejects(await sign(rsa, claims({ iss: iss.issuer + '/' })));
  await rejects(await sign(rsa, claims({ iss: 'https://evil.example' })));
  await rejects(await sign(rsa, claims({ sub: undefined })));
});

test('aud must be in allowedAudience (string or array, a missing aud fails)', async () => {
  const cfg = { discoveryUrl: iss.discoveryUrl, allowedAudience: ['api://a'] };
  assert.equal((await verifier.verify(await sign(rsa, claims({ aud: 'api://a' })), cfg)).subject, 'user-1');
  assert.equal((await verifier.verify(await sign(rsa, claims({ aud: ['x', 'api://a'] })), cfg)).subject, 'user-1');
  await rejects(await sign(rsa, claims({ aud: 'api://b' })), cfg);
  await rejects(await sign(rsa, claims({ aud: ['api://b', 'x'] })), cfg);
  await rejects(await sign(rsa, claims()), cfg);
});

test('allowedClients reads client_id, then azp; Entra tokens use azp (v2) or appid (v1)', async () => {
  await rejects(await sign(rsa, claims({ client_id: 'client-b' })));
  await rejects(await sign(rsa, claims({ client_id: undefined })));
  assert.equal((await verifier.verify(await sign(rsa, claims({ client_id: undefined, azp: 'client-a' })), base)).clientId, 'client-a');
  const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const v2 = claims({ client_id: undefined, tid, ver: '2.0', azp: 'client-a' });
  assert.equal((await verifier.verify(await sign(rsa, v2), base)).clientId, 'client-a');
  // An Entra v2 token whose only client claim is appid is refused: v2 names the client in azp.
  await rejects(await sign(rsa, claims({ client_id: undefined, tid, ver: '2.0', appid: 'client-a' })));
  assert.equal((await verifier.verify(await sign(rsa, claims({ client_id: undefined, tid, ver: '1.0', appid: 'client-a' })), base)).clientId, 'client-a');
  await rejects(await sign(rsa, claims({ client_id: 'client-a', tid, ver: '1.0', appid: 'client-b' })));
});

test('allowedScopes: at least one from scope or scp (string or array)', async () => {
  const cfg = { discoveryUrl: iss.discoveryUrl, allowedScopes: ['agent/invoke'] };
  assert.ok(await verifier.verify(await sign(rsa, claims({ scope: 'openid agent/invoke' })), cfg));
  assert.ok(await verifier.verify(await sign(rsa, claims({ scp: 'agent/invoke' })), cfg));
  assert.ok(await verifier.verify(await sign(rsa, claims({ scp: ['x', 'agent/invoke'] })), cfg));
  // Valid in all but scope: 403 insufficient_scope naming the accepted scopes (RFC 6750 §3.1), not 401.
  for (const t of [await sign(rsa, claims({ scope: 'openid agent/invoker' })), await sign(rsa, claims())]) {
    await assert.rejects(verifier.verify(t, cfg), (e: unknown) => {
      assert.ok(e instanceof MandateError);
      assert.equal(e.code, 'insufficient_scope');
      assert.equal(e.status, 403);
      assert.equal(e.awsType, 'AccessDeniedException');
      assert.equal(e.message, 'The bearer token does not carry a scope this resource accepts.');
      assert.deepEqual(e.headers, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="agent/invoke"' });
      return true;
    });
  }
  // Any other failure still hides that the scope was the only problem.
  await rejects(await sign(rsa, claims({ scope: 'openid', client_id: 'someone-else' })), { ...cfg, allowedClients: ['client-a'] });
});

test('customClaims: STRING EQUALS, STRING_ARRAY CONTAINS and CONTAINS_ANY; missing claims fail', async () => {
  const cfg: InboundJwtConfigInput = {
    discoveryUrl: iss.discoveryUrl,
    customClaims: [
      { inboundTokenClaimName: 'department', inboundTokenClaimValueType: 'STRING', authorizingClaimMatchValue: { claimMatchOperator: 'EQUALS', claimMatchValue: { matchValueString: 'eng' } } },
      { inboundTokenClaimName: 'groups', inboundTokenClaimValueType: 'STRING_ARRAY', authorizingClaimMatchValue: { claimMatchOperator: 'CONTAINS', claimMatchValue: { matchValueString: 'agents' } } },
      { inboundTokenClaimName: 'roles', inboundTokenClaimValueType: 'STRING_ARRAY', authorizingClaimMatchValue: { claimMatchOperator: 'CONTAINS_ANY', claimMatchValue: { matchValueStringList: ['admin', 'user'] } } },
    ],
  };
  const ok = { department: 'eng', groups: ['a', 'agents'], roles: ['user'] };
  assert.ok(await verifier.verify(await sign(rsa, claims(ok)), cfg));
  await rejects(await sign(rsa, claims({ ...ok, department: 'Eng' })), cfg);
  await rejects(await sign(rsa, claims({ ...ok, department: ['eng'] })), cfg);
  await rejects(await sign(rsa, claims({ ...ok, groups: ['agent'] })), cfg);
  await rejects(await sign(rsa, claims({ ...ok, groups: 'agents' })), cfg);
  await rejects(await sign(rsa, claims({ ...ok, roles: ['guest'] })), cfg);
  await rejects(await sign(rsa, claims({ ...ok, roles: undefined })), cfg);
});

test('an authorizer with no rule at all fails closed', async () => {
  await rejects(await sign(rsa, claims()), { discoveryUrl: iss.discoveryUrl });
});

test('oversized tokens are refused before any parsing; crit and foreign typ are refused', async () => {
  const before = { ...iss.hits };
  await rejects('a'.repeat(16 * 1024 + 1));
  await rejects(await sign(rsa, claims({ pad: 'x'.repeat(17 * 1024) })));
  await rejects(await signRawRs256(rsa, { alg: 'RS256', kid: 'rsa-1', crit: ['x-foo'], 'x-foo': 1 }, claims()));
  assert.ok(await verifier.verify(await signRawRs256(rsa, { alg: 'RS256', kid: 'rsa-1' }, claims()), base)); // the raw signer itself is sound
  // Duplicate header members (RFC 7515 §4): hand-built JSON, since objects cannot hold duplicates.
  const dupHeader = Buffer.from('{"alg":"RS256","kid":"rsa-1","kid":"rsa-1"}').toString('base64url');
  const dupInput = `${dupHeader}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}`;
  const dupSig = Buffer.from(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', rsa.privateKey, new TextEncoder().encode(dupInput))).toString('base64url');
  await rejects(`${dupInput}.${dupSig}`);
  await rejects(await sign(rsa, claims(), { typ: 'wat+jwt' }));
  await rejects(await sign(rsa, claims(), { typ: 'dpop+jwt' }));
  assert.ok(await verifier.verify(await sign(rsa, claims(), { typ: 'at+jwt' }), base));
  await rejects('not-a-jwt');
  await rejects('a.b.c');
  assert.equal(iss.hits.jwks, before.jwks);
});

test('jku, x5u and jwk header members are ignored: no fetch, no embedded key trusted', async () => {
  const attacker = await makeKey('evil');
  const trap = await startIssuer('/trap', [attacker.jwk]);
  try {
    const t = await sign(attacker, claims(), { kid: 'evil', jku: `${trap.url}/trap/jwks`, x5u: `${trap.url}/trap/jwks`, jwk: attacker.jwk } as never);
    await rejects(t);
    assert.equal(trap.hits.jwks, 0);
    assert.deepEqual(trap.hits.other, []);
    // A legitimately signed token with a jku is still verified with the issuer's own key.
    assert.ok(await verifier.verify(await sign(rsa, claims(), { jku: `${trap.url}/trap/jwks` } as never), base));
    assert.equal(trap.hits.jwks, 0);
  } finally {
    await trap.close();
  }
});

test('rejection reasons go to the debug log, never the token', async () => {
  const t = await sign(rsa, claims({ client_id: 'client-z' }));
  await rejects(t);
  const line = logger.lines.findLast((l) => l.includes('inbound JWT rejected'))!;
  assert.match(line, /client not allowed/);
  assert.ok(!logger.lines.some((l) => l.includes(t)));
});

test('verified results are cached briefly, never past exp, and per configuration', async () => {
  const c = new ManualClock(NOW_MS);
  const v = new InboundJwtVerifier({ clock: c, logger, devMode: true });
  const t = await sign(rsa, claims({ exp: NOW + 20 }));
  const hits = iss.hits.jwks;
  assert.equal((await v.verify(t, base)).subject, 'user-1');
  assert.equal((await v.verify(t, base)).subject, 'user-1');
  await rejects(t, { discoveryUrl: iss.discoveryUrl, allowedClients: ['someone-else'] });
  c.advance(51_000); // exp (20 s) + tolerance (30 s) has passed: the cached result must not be served
  await assert.rejects(v.verify(t, base), (e: unknown) => e instanceof MandateError && e.code === 'unauthorized');
  assert.equal(iss.hits.jwks, hits + 1, 'one key fetch for the new verifier');
});
