/**
 * The weather API's token check: RS256 only, signature, issuer, audience, expiry, scope and oid,
 * against a real JWKS served on loopback; plus the deterministic forecast and city parsing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JwtVerifier, TokenRejectedError } from '../src/jwt-check.ts';
import { parseCity } from '../src/scripted-model.ts';
import { createWeatherApi, forecastFor, scopeShortName } from '../src/weather-api.ts';
import { API_APP_ID, ISSUER, newSigningKey, startJwksServer, userToken } from './support.ts';

const key = newSigningKey('k1');
const stranger = newSigningKey('k1'); // same kid, different key: a forged signature
const user = { oid: 'cccccccc-0000-4000-8000-000000000003', preferred_username: 'carol@contoso.com' };

let jwks: Awaited<ReturnType<typeof startJwksServer>>;
before(async () => {
  jwks = await startJwksServer([key]);
});
after(() => jwks.close());

const verifier = () => new JwtVerifier({ issuer: ISSUER, jwksUri: jwks.url, audiences: [API_APP_ID] });

async function rejects(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TokenRejectedError);
    assert.equal(error.message, `Access token rejected: ${message}`);
    return true;
  });
}

describe('weather API token check', () => {
  it('serves a verified user with their oid and a deterministic forecast', async () => {
    const api = createWeatherApi({ verifier: verifier(), requiredScope: 'read' });
    const report = await api.forecast('Seattle', userToken(key, user));
    assert.deepEqual(report, {
      city: 'Seattle', ...forecastFor('Seattle'),
      checkedFor: { oid: user.oid, preferredUsername: user.preferred_username }, tokenVerified: true,
    });
    assert.deepEqual(forecastFor(' seattle '), forecastFor('Seattle'));
  });

  it('caches the JWKS across calls', async () => {
    const v = verifier();
    const before = jwks.hits();
    await v.verify(userToken(key, user));
    await v.verify(userToken(key, user));
    assert.equal(jwks.hits() - before, 1);
  });

  it('rejects forged, foreign, expired and wrongly-shaped tokens with precise reasons', async () => {
    const v = verifier();
    await rejects(v.verify(userToken(stranger, user)), 'bad signature');
    await rejects(v.verify(userToken(key, { ...user, iss: 'https://evil.example/v2.0' })), 'wrong issuer');
    await rejects(v.verify(userToken(key, { ...user, aud: 'api://someone-else' })), 'wrong audience');
    await rejects(v.verify(userToken(key, { ...user, exp: Math.floor(Date.now() / 1000) - 120 })), 'expired');
    await rejects(v.verify(userToken(key, user, { alg: 'HS256' })), 'algorithm not allowed');
    await rejects(v.verify(userToken(key, user, { alg: 'none' })), 'algorithm not allowed');
    await rejects(v.verify(userToken(key, user, { kid: 'other' })), 'unknown signing key');
    await rejects(v.verify('not-a-jwt'), 'not a compact JWS');
    await rejects(v.verify('a.b.c'), 'malformed JWT header');
  });

  it('requires the delegated scope and a user oid, also when only decoding', async () => {
    const api = createWeatherApi({ requiredScope: 'read' });
    await rejects(api.forecast('Rome', userToken(key, { ...user, scp: 'write' })), 'scope read not granted');
    await rejects(api.forecast('Rome', userToken(key, { oid: '' })), 'no oid claim (not a user token)');
    await rejects(api.forecast('Rome', userToken(key, { ...user, exp: 1 })), 'expired');
    const report = await api.forecast('Rome', userToken(stranger, user));
    assert.equal(report.tokenVerified, false, 'decode-only mode says so in its answer');
  });

  it('parses the city from the prompt and the short scope name from the full scope', () => {
    assert.equal(parseCity('Weather in San Francisco?'), 'San Francisco');
    assert.equal(parseCity("What's the forecast for São Paulo today?"), 'São Paulo');
    assert.equal(parseCity('weather at  Oslo.'), 'Oslo');
    assert.equal(parseCity('Hello'), undefined);
    assert.equal(scopeShortName(`api://${API_APP_ID}/read`), 'read');
    assert.equal(scopeShortName('read'), 'read');
  });
});
