import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onBehalfOf } from '../src/flows/on-behalf-of.ts';
import { getM2mToken } from '../src/flows/m2m.ts';
import { scriptedProvider } from './data-helpers.ts';

const wat = { workloadName: 'w', user: { kind: 'jwt' as const, issuer: 'https://idp', subject: 's' }, expiresAt: 0, userToken: 'user.jwt.token' };

test('ON_BEHALF_OF_TOKEN_EXCHANGE toward a custom provider is an RFC 8693 token exchange', async () => {
  const { s, calls, pc } = await scriptedProvider({ access_token: 'down-1', token_type: 'Bearer', expires_in: 600, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
  const req = { scopes: ['files.read'], resources: ['https://api.example.test'], audiences: ['api'] };
  assert.equal(await onBehalfOf(s, pc, wat, req), 'down-1');
  assert.equal(await onBehalfOf(s, pc, wat, req), 'down-1');
  assert.equal(calls.length, 1);
  const p = calls[0]!;
  assert.deepEqual(Object.fromEntries([...p].filter(([k]) => k !== 'client_secret' && k !== 'client_id')), {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: 'user.jwt.token',
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    resource: 'https://api.example.test',
    audience: 'api',
    scope: 'files.read',
  });
});

test('token-endpoint errors become typed errors naming the provider error, never a token or secret', async () => {
  const { s, pc } = await scriptedProvider({ error: 'invalid_grant', error_description: 'subject token expired' }, {}, 400);
  await assert.rejects(onBehalfOf(s, pc, wat, { scopes: ['x'] }), {
    awsType: 'AccessDeniedException', message: 'Credential provider custom refused the request: invalid_grant (subject token expired).',
  });
  const bad = await scriptedProvider({ error: 'invalid_scope' }, {}, 400);
  await assert.rejects(getM2mToken(bad.s, bad.pc, { scopes: ['nope'] }), {
    awsType: 'ValidationException', message: 'Credential provider custom refused the request: invalid_scope.',
  });
});

test('M2M toward a custom provider sends resource and audience, and caches by expires_in', async () => {
  const { s, clock, calls, pc } = await scriptedProvider({ access_token: 'm2m-1', token_type: 'Bearer', expires_in: 300 });
  const req = { scopes: ['jobs'], resources: ['https://r'], audiences: ['a'] };
  assert.equal(await getM2mToken(s, pc, req), 'm2m-1');
  assert.deepEqual([calls[0]!.get('grant_type'), calls[0]!.get('scope'), calls[0]!.get('resource'), calls[0]!.get('audience')], ['client_credentials', 'jobs', 'https://r', 'a']);
  clock.advance(239_000);
  assert.equal(await getM2mToken(s, pc, req), 'm2m-1');
  assert.equal(calls.length, 1);
  clock.advance(1_000); // 60 s before expiry: renewed
  await getM2mToken(s, pc, req);
  assert.equal(calls.length, 2);
});
