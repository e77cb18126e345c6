import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, MandateError } from '@mandate/core';
import { MemoryStore } from '@mandate/storage';
import { mintWorkloadAccessToken, verifyWorkloadAccessToken, WAT_LIFETIME_MS } from '../src/workload/token.ts';
import { getWorkloadAccessToken } from '../src/data/get-workload-access-token.ts';
import { getWorkloadAccessTokenForUserId } from '../src/data/get-workload-access-token-for-user-id.ts';
import { admin, putWorkload, testServices, TestSecretBox, workloadCaller } from './data-helpers.ts';
import type { OperationContext } from '../src/operation.ts';

const denied = (e: unknown) => e instanceof MandateError && e.awsType === 'AccessDeniedException' && e.message === 'The workload access token is invalid or expired.';

test('mint and verify round-trip for every binding kind', async () => {
  const s = testServices();
  for (const user of [{ kind: 'none' } as const, { kind: 'userId', userId: 'alice' } as const, { kind: 'jwt', issuer: 'https://idp/x', subject: 's.1' } as const]) {
    const wat = await mintWorkloadAccessToken(s, { workloadName: 'agent-a', user });
    assert.match(wat, /^mwat1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    const v = await verifyWorkloadAccessToken(s, wat);
    assert.deepEqual(v, { workloadName: 'agent-a', user, expiresAt: (s.clock.now() + WAT_LIFETIME_MS) });
  }
});

test('expired, forged, truncated and foreign tokens are refused alike', async () => {
  const clock = new ManualClock();
  const s = testServices({ clock });
  const wat = await mintWorkloadAccessToken(s, { workloadName: 'agent-a', user: { kind: 'userId', userId: 'alice' } });
  const parts = wat.split('.');
  const ct = Buffer.from(parts[3]!, 'base64url');
  ct[0]! ^= 1;
  const forged = [parts[0], parts[1], parts[2], ct.toString('base64url')].join('.');
  for (const bad of [forged, wat.slice(0, -2), 'mwat1.x.y.z', 'eyJhbGciOiJub25lIn0.e30.', '', 'x'.repeat(70_000), wat.replace('mwat1', 'mwat2')]) {
    await assert.rejects(verifyWorkloadAccessToken(s, bad), denied);
  }
  // Same token at another Mandate with its own store/key: unknown kid.
  await assert.rejects(verifyWorkloadAccessToken(testServices(), wat), denied);
  clock.advance(WAT_LIFETIME_MS - 1);
  assert.equal((await verifyWorkloadAccessToken(s, wat)).workloadName, 'agent-a');
  clock.advance(1);
  await assert.rejects(verifyWorkloadAccessToken(s, wat), denied);
});

test('two instances sharing one store (nothing else) accept each other\'s tokens', async () => {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const secrets = new TestSecretBox();
  const a = testServices({ store, clock, secrets });
  const b = testServices({ store, clock, secrets });
  const [w1, w2] = await Promise.all([
    mintWorkloadAccessToken(a, { workloadName: 'agent-a', user: { kind: 'none' } }),
    mintWorkloadAccessToken(b, { workloadName: 'agent-b', user: { kind: 'none' } }),
  ]);
  assert.equal((await verifyWorkloadAccessToken(b, w1)).workloadName, 'agent-a');
  assert.equal((await verifyWorkloadAccessToken(a, w2)).workloadName, 'agent-b');
});

function ctx(s: ReturnType<typeof testServices>, caller = admin): OperationContext {
  return { caller, services: s, requestId: 'r', params: {}, query: new URLSearchParams(), req: undefined as never, res: undefined as never };
}

test('GetWorkloadAccessToken: own workload only, unknown workload is not found', async () => {
  const s = testServices();
  await putWorkload(s, { name: 'agent-a' });
  await putWorkload(s, { name: 'agent-b' });
  const out = await getWorkloadAccessToken.handler({ workloadName: 'agent-a' }, ctx(s, workloadCaller('agent-a')));
  assert.equal((await verifyWorkloadAccessToken(s, out.workloadAccessToken)).workloadName, 'agent-a');
  await assert.rejects(getWorkloadAccessToken.handler({ workloadName: 'agent-b' }, ctx(s, workloadCaller('agent-a'))), {
    awsType: 'AccessDeniedException', message: 'This access key may not act for workload identity agent-b.',
  });
  await assert.rejects(getWorkloadAccessToken.handler({ workloadName: 'nope-1' }, ctx(s)), {
    awsType: 'ResourceNotFoundException', message: 'Workload identity nope-1 does not exist.',
  });
});

test('GetWorkloadAccessTokenForUserId needs allowUserIdTokens or admin', async () => {
  const s = testServices();
  await putWorkload(s, { name: 'agent-a' });
  await assert.rejects(getWorkloadAccessTokenForUserId.handler({ workloadName: 'agent-a', userId: 'alice' }, ctx(s, workloadCaller('agent-a'))), {
    awsType: 'AccessDeniedException', message: 'This access key may not mint workload access tokens for a user id (allowUserIdTokens is off).',
  });
  const out = await getWorkloadAccessTokenForUserId.handler({ workloadName: 'agent-a', userId: 'alice' }, ctx(s, workloadCaller('agent-a', true)));
  assert.deepEqual((await verifyWorkloadAccessToken(s, out.workloadAccessToken)).user, { kind: 'userId', userId: 'alice' });
  const out2 = await getWorkloadAccessTokenForUserId.handler({ workloadName: 'agent-a', userId: 'bob' }, ctx(s));
  assert.deepEqual((await verifyWorkloadAccessToken(s, out2.workloadAccessToken)).user, { kind: 'userId', userId: 'bob' });
});

test('forged key ids cannot make every verification reload the key ring', async () => {
  const store = new MemoryStore();
  let reads = 0;
  const get = store.get.bind(store);
  store.get = (async (c: string, id: string) => {
    if (c === 'service_keys') reads++;
    return get(c, id);
  }) as typeof store.get;
  const s = testServices({ store });
  const wat = await mintWorkloadAccessToken(s, { workloadName: 'agent-a', user: { kind: 'none' } });
  const [, , iv, ct] = wat.split('.');
  const before = reads;
  for (let i = 0; i < 50; i++) await assert.rejects(verifyWorkloadAccessToken(s, `mwat1.forged${i}.${iv}.${ct}`), denied);
  assert.equal(reads - before, 1);
  assert.equal((await verifyWorkloadAccessToken(s, wat)).workloadName, 'agent-a');
});
