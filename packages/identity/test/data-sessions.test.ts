import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@mandate/core';
import { collections } from '../src/model.ts';
import { completeSession } from '../src/flows/complete.ts';
import { createSession, loadSession, sealPending, sessionIdOf, sessionUriOf, swapSession, SESSION_LIFETIME_MS } from '../src/sessions/sessions.ts';
import { readVault } from '../src/vault/tokens.ts';
import { testServices } from './data-helpers.ts';

const init = (userId: string) => ({
  workloadName: 'agent-a', user: { kind: 'userId' as const, userId }, providerName: 'entra', scopes: ['read'],
  returnUrl: 'https://app.example.test/r', codeVerifier: 'v'.repeat(43), customState: 'cs',
});

test('session URIs are 256-bit random URNs with their own one-time state; only our URNs are recognised', async () => {
  const s = testServices();
  const a = await createSession(s, init('alice'));
  const b = await createSession(s, init('alice'));
  assert.match(sessionUriOf(a.sessionId), /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a.sessionId, b.sessionId);
  assert.notEqual(a.state, b.state);
  assert.equal(sessionIdOf(sessionUriOf(a.sessionId)), a.sessionId);
  for (const bad of ['https://evil.example/x', 'urn:ietf:params:oauth:request_uri:short', `urn:ietf:params:oauth:request_uri:${a.sessionId}/..`, '']) assert.equal(sessionIdOf(bad), undefined);
  // Secrets in the record are sealed, never stored in clear.
  const raw = JSON.stringify((await s.store.get(collections.authSessions, a.sessionId))!.doc);
  assert.ok(!raw.includes('v'.repeat(43)) && !raw.includes('"cs"'));
});

test('sessions and their states expire after 10 minutes', async () => {
  const clock = new ManualClock();
  const s = testServices({ clock });
  const a = await createSession(s, init('alice'));
  clock.advance(SESSION_LIFETIME_MS - 1);
  assert.ok(await loadSession(s, a.sessionId));
  assert.ok(await s.store.get(collections.authStates, a.state));
  clock.advance(1);
  assert.equal(await loadSession(s, a.sessionId), undefined);
  assert.equal(await s.store.get(collections.authStates, a.state), undefined);
});

test('concurrent completions of one session store the token once; the losers are refused', async () => {
  const s = testServices();
  const a = await createSession(s, init('alice'));
  const loaded = (await loadSession(s, a.sessionId))!;
  assert.ok(await swapSession(s, loaded, { ...loaded.doc, status: 'AWAITING_BINDING', pending: await sealPending(s, a.sessionId, { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: s.clock.now() + 3600_000 }) }));
  const snapshot = (await loadSession(s, a.sessionId))!;
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => completeSession(s, snapshot, { kind: 'userId', userId: 'alice' })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results.filter((r) => r.status === 'rejected')) assert.equal((r as PromiseRejectedResult).reason.message, 'Invalid or expired session.');
  const entry = await readVault(s, { workloadName: 'agent-a', user: { kind: 'userId', userId: 'alice' }, providerName: 'entra', scopes: ['read'] });
  assert.deepEqual([entry!.accessToken, entry!.refreshToken], ['at-1', 'rt-1']);
  const done = (await loadSession(s, a.sessionId))!;
  assert.equal(done.doc.status, 'COMPLETED');
  assert.equal(done.doc.pending, undefined);
});

test('an expired session cannot be completed', async () => {
  const clock = new ManualClock();
  const s = testServices({ clock });
  const a = await createSession(s, init('alice'));
  const loaded = (await loadSession(s, a.sessionId))!;
  await swapSession(s, loaded, { ...loaded.doc, status: 'AWAITING_BINDING', pending: await sealPending(s, a.sessionId, { accessToken: 'at-2' }) });
  const snapshot = (await loadSession(s, a.sessionId))!;
  clock.advance(SESSION_LIFETIME_MS);
  await assert.rejects(completeSession(s, snapshot, { kind: 'userId', userId: 'alice' }), { message: 'Invalid or expired session.' });
  assert.equal(await s.store.count(collections.vaultTokens), 0);
});

test('polls without a wait get a burst, then ThrottlingException with Retry-After', async () => {
  const { checkPollRate } = await import('../src/flows/poll-limit.ts');
  const s = testServices();
  for (let i = 0; i < 10; i++) checkPollRate(s, 'session-1');
  assert.throws(() => checkPollRate(s, 'session-1'), (e: { awsType: string; status: number; headers: Record<string, string>; message: string }) => {
    assert.equal(e.awsType, 'ThrottlingException');
    assert.equal(e.status, 429);
    assert.equal(e.headers['retry-after'], '1');
    assert.match(e.message, /^This session is polled too often; wait \d+ ms between polls, or send x-mandate-wait/);
    return true;
  });
  checkPollRate(s, 'session-2'); // other sessions are unaffected
});
