/** Unmodified @azure/msal-node against the emulator (the "real Microsoft client" conformance harness). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfidentialClientApplication, PublicClientApplication, InteractionRequiredAuthError, ServerError, CryptoProvider } from '@azure/msal-node';
import { startEntraEmulator, type EntraEmulator } from '../src/entra/index.ts';
import { completeAuthorization, completeDeviceCode } from '../src/entra/browserless.ts';
import { createRsaCert, thumbprints, trustCa } from '../src/tls/index.ts';
import { decodeJwt, fixture, msalAuth } from './entra-helpers.ts';

const cert = await createRsaCert('mandate-agent client cert');
const f = fixture({ clientCertPem: cert.certPem });
let emu: EntraEmulator;

before(async () => {
  emu = await startEntraEmulator({ seed: f.seed, headless: true, deviceCodeInterval: 1 });
  trustCa(emu.caCertPem);
});
after(() => emu.close());

const cca = () => new ConfidentialClientApplication({ auth: { clientId: f.clientId, clientSecret: f.clientSecret, ...msalAuth(emu.url, f.tenantId) } });

test('client credentials with a secret: v2 app-only token with roles, then a cache hit', async () => {
  const app = cca();
  const r = await app.acquireTokenByClientCredential({ scopes: [`api://${f.apiId}/.default`] });
  assert.ok(r);
  const { header, payload } = decodeJwt(r.accessToken);
  assert.deepEqual([header.alg, header.typ], ['RS256', 'JWT']);
  assert.equal(payload.aud, f.apiId);
  assert.equal(payload.iss, `${emu.url.replace('https://', 'https://')}/${f.tenantId}/v2.0`);
  assert.equal(payload.azp, f.clientId);
  assert.equal(payload.azpacr, '1');
  assert.deepEqual(payload.roles, ['Data.Read.All']);
  assert.equal(payload.idtyp, 'app');
  assert.equal(payload.ver, '2.0');
  const again = await app.acquireTokenByClientCredential({ scopes: [`api://${f.apiId}/.default`] });
  assert.equal(again?.accessToken, r.accessToken);
  assert.equal(again?.fromCache, true);
});

test('client credentials with a certificate (PS256 assertion, x5t#S256): azpacr 2', async () => {
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: f.clientId, ...msalAuth(emu.url, f.tenantId),
      clientCertificate: { thumbprintSha256: Buffer.from(thumbprints(cert.certPem).x5tS256, 'base64url').toString('hex'), privateKey: cert.keyPem, x5c: cert.certPem },
    },
  });
  const r = await app.acquireTokenByClientCredential({ scopes: [`api://${f.apiId}/.default`] });
  assert.equal(decodeJwt(r!.accessToken).payload.azpacr, '2');
});

test('wrong secret: ServerError 7000215, status 401', async () => {
  const app = new ConfidentialClientApplication({ auth: { clientId: f.clientId, clientSecret: 'x'.repeat(32), ...msalAuth(emu.url, f.tenantId) } });
  await assert.rejects(app.acquireTokenByClientCredential({ scopes: [`api://${f.apiId}/.default`] }), (e: unknown) => {
    assert.ok(e instanceof ServerError);
    assert.equal(e.errorCode, 'invalid_client');
    assert.equal(e.errorNo, 7000215);
    assert.equal(e.status, 401);
    assert.match(e.errorMessage, /Description: AADSTS7000215: Invalid client secret provided\./);
    return true;
  });
});

test('auth code + PKCE, silent refresh, consent_required, on-behalf-of', async () => {
  const app = cca();
  const crypto = new CryptoProvider();
  const { verifier, challenge } = await crypto.generatePkceCodes();
  const url = await app.getAuthCodeUrl({
    scopes: [`api://${f.apiId}/read`], redirectUri: f.redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256',
    loginHint: f.alice.username, state: 'st-1',
  });
  const back = await completeAuthorization(url, f.alice);
  assert.equal(back.origin + back.pathname, f.redirectUri);
  assert.equal(back.searchParams.get('state'), 'st-1');
  const code = back.searchParams.get('code')!;
  const r = await app.acquireTokenByCode({ code, scopes: [`api://${f.apiId}/read`], redirectUri: f.redirectUri, codeVerifier: verifier });
  const at = decodeJwt(r.accessToken).payload;
  assert.equal(at.aud, f.apiId);
  assert.equal(at.scp, 'read');
  assert.equal(at.preferred_username, f.alice.username);
  assert.equal(r.account?.homeAccountId, `${at.oid}.${f.tenantId}`);
  assert.equal(r.account?.username, f.alice.username);

  const silent = await app.acquireTokenSilent({ account: r.account!, scopes: [`api://${f.apiId}/read`], forceRefresh: true });
  assert.notEqual(silent.accessToken, r.accessToken);
  assert.equal(silent.fromCache, false);
  assert.equal(decodeJwt(silent.accessToken).payload.scp, 'read');

  await assert.rejects(app.acquireTokenSilent({ account: r.account!, scopes: [`api://${f.apiId}/write`] }), (e: unknown) => {
    assert.ok(e instanceof InteractionRequiredAuthError);
    assert.equal(e.errorCode, 'invalid_grant');
    assert.equal(e.subError, 'consent_required');
    assert.equal(e.errorNo, 65001);
    return true;
  });

  // OBO: the client calls the downstream API as Alice, with a token whose audience is the client itself.
  const own = await app.acquireTokenSilent({ account: r.account!, scopes: [`api://${f.clientId}/read`] }).catch(() => undefined);
  assert.equal(own, undefined); // not consented yet → interaction required
  const url2 = await app.getAuthCodeUrl({ scopes: [`api://${f.clientId}/read`], redirectUri: f.redirectUri, loginHint: f.alice.username });
  const code2 = (await completeAuthorization(url2, f.alice)).searchParams.get('code')!;
  const userToken = await app.acquireTokenByCode({ code: code2, scopes: [`api://${f.clientId}/read`], redirectUri: f.redirectUri });
  const obo = await app.acquireTokenOnBehalfOf({ oboAssertion: userToken.accessToken, scopes: [`api://${f.downstreamId}/read`] });
  const op = decodeJwt(obo!.accessToken).payload;
  assert.equal(op.aud, f.downstreamId);
  assert.equal(op.oid, at.oid);
  assert.equal(op.azp, f.clientId);
  assert.equal(op.scp, 'read');
});

test('device code with a public client', async () => {
  const app = new PublicClientApplication({ auth: { clientId: f.publicId, ...msalAuth(emu.url, f.tenantId) } });
  let message = '';
  let signIn: Promise<string> | undefined;
  const r = await app.acquireTokenByDeviceCode({
    scopes: [`api://${f.apiId}/read`],
    timeout: 60, // seconds: fail instead of polling for 15 minutes if the sign-in below breaks
    deviceCodeCallback: (d) => {
      message = d.message;
      signIn = completeDeviceCode(d.verificationUri, d.userCode, f.bob);
    },
  });
  assert.match(message, /enter the code [A-Z0-9]{9} to authenticate/);
  assert.match(await signIn!, /You have signed in/);
  const p = decodeJwt(r!.accessToken).payload;
  assert.equal(p.aud, f.apiId);
  assert.equal(p.azpacr, '0');
  assert.equal(p.preferred_username, f.bob.username);
  assert.equal(r!.account?.username, f.bob.username);
});
