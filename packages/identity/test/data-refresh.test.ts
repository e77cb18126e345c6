import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usableAccessToken } from '../src/flows/refresh.ts';
import { readVault, writeVault } from '../src/vault/tokens.ts';
import { scriptedProvider } from './data-helpers.ts';

/**
 * The refresh rules at unit level, against a scripted token endpoint (the Entra emulator always rotates
 * refresh tokens, so "no refresh token in the response" needs a provider that omits it).
 */
async function setup(response: Record<string, unknown>) {
  const { s, clock, calls, pc } = await scriptedProvider(response, { offlineAccessScope: 'offline_access' });
  const key = { workloadName: 'w', user: { kind: 'userId' as const, userId: 'alice' }, providerName: 'custom', scopes: ['read'] };
  return { s, clock, calls, pc, key };
}

test('a refresh without a new refresh token keeps the old one and re-sends the scope with offline_access', async () => {
  const { s, calls, pc, key } = await setup({ access_token: 'at-2', token_type: 'Bearer', expires_in: 3600 });
  await writeVault(s, key, { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: s.clock.now() - 1 });
  assert.equal(await usableAccessToken(s, pc, key), 'at-2');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.get('grant_type'), 'refresh_token');
  assert.equal(calls[0]!.get('refresh_token'), 'rt-1');
  assert.equal(calls[0]!.get('scope'), 'read offline_access');
  const row = await readVault(s, key);
  assert.deepEqual([row!.accessToken, row!.refreshToken, row!.expiresAt], ['at-2', 'rt-1', s.clock.now() + 3600_000]);
});

test('a fresh token is served without a provider call; 20 concurrent callers of an expiring one share one refresh', async () => {
  const { s, clock, calls, pc, key } = await setup({ access_token: 'at-3', refresh_token: 'rt-3', token_type: 'Bearer', expires_in: 3600 });
  await writeVault(s, key, { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: clock.now() + 120_000 });
  assert.equal(await usableAccessToken(s, pc, key), 'at-1');
  assert.equal(calls.length, 0);
  clock.advance(61_000); // inside the 60 s margin
  const out = await Promise.all(Array.from({ length: 20 }, () => usableAccessToken(s, pc, key)));
  assert.deepEqual(new Set(out), new Set(['at-3']));
  assert.equal(calls.length, 1);
  assert.equal((await readVault(s, key))!.refreshToken, 'rt-3');
});

test('an expired token without a refresh token means a new consent (undefined), not a provider call', async () => {
  const { s, calls, pc, key } = await setup({});
  await writeVault(s, key, { accessToken: 'at-1', expiresAt: s.clock.now() - 1 });
  assert.equal(await usableAccessToken(s, pc, key), undefined);
  assert.equal(calls.length, 0);
});
