import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, MandateError } from '@mandate/core';
import { MemoryStore } from '@mandate/storage';
import { collections, type Oauth2ProviderDoc, type WorkloadIdentityDoc } from '../src/model.ts';
import type { Operation, OperationContext } from '../src/operation.ts';
import type { IdentityServices } from '../src/services.ts';
import { loadWorkloadCached as loadWorkload } from '../src/workload/access.ts';
import { cachedDoc, docChanged, DOC_CACHE_TTL_MS } from '@mandate/edge';
import { clientSecretContext, loadProvider } from '../src/flows/provider-client.ts';
import { updateWorkloadIdentity } from '../src/control/update-workload-identity.ts';
import { deleteWorkloadIdentity } from '../src/control/delete-workload-identity.ts';
import { deleteOauth2CredentialProvider } from '../src/control/delete-oauth2-credential-provider.ts';
import { admin, putWorkload, testServices } from './data-helpers.ts';

// The per-process cache of provider and workload documents (data/doc-cache.ts) must never serve a
// document that the control plane has updated or deleted: not in this instance, not in another instance
// sharing the store.

const settle = () => new Promise((r) => setImmediate(r));

function run<I, O>(op: Operation, services: IdentityServices, input: I): Promise<O> {
  const ctx = { caller: admin, requestId: 'r', services, params: {}, query: new URLSearchParams() } as unknown as OperationContext;
  return op.handler(input, ctx) as Promise<O>;
}

async function notFound(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof MandateError && err.code === 'not_found' && err.message === message);
}

async function primed(services: IdentityServices, name: string): Promise<WorkloadIdentityDoc> {
  await loadWorkload(services, name);
  await settle(); // the subscription is in place; from now on reads are cached
  return loadWorkload(services, name);
}

test('a cached workload identity is served from memory, frozen, until the TTL passes', async () => {
  const s = testServices();
  await putWorkload(s, { name: 'wl', allowedResourceOauth2ReturnUrls: ['https://a.example/cb'] });
  const first = await primed(s, 'wl');
  let reads = 0;
  const get = s.store.get.bind(s.store);
  s.store.get = (async (c: string, id: string) => (reads++, get(c, id))) as typeof s.store.get;
  const again = await loadWorkload(s, 'wl');
  assert.equal(again, first);
  assert.equal(reads, 0);
  assert.ok(Object.isFrozen(again) && Object.isFrozen(again.allowedResourceOauth2ReturnUrls));
  await new Promise((r) => setTimeout(r, DOC_CACHE_TTL_MS + 20));
  await loadWorkload(s, 'wl');
  assert.equal(reads, 1);
});

test('UpdateWorkloadIdentity is seen at once by this instance and by another instance on the same store', async () => {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const a = testServices({ store, clock });
  const b = testServices({ store, clock });
  await putWorkload(a, { name: 'wl', allowedResourceOauth2ReturnUrls: ['https://a.example/cb'] });
  assert.deepEqual((await primed(a, 'wl')).allowedResourceOauth2ReturnUrls, ['https://a.example/cb']);
  assert.deepEqual((await primed(b, 'wl')).allowedResourceOauth2ReturnUrls, ['https://a.example/cb']);
  await run(updateWorkloadIdentity, a, { name: 'wl', allowedResourceOauth2ReturnUrls: ['https://b.example/cb'] });
  assert.deepEqual((await loadWorkload(a, 'wl')).allowedResourceOauth2ReturnUrls, ['https://b.example/cb']);
  await settle(); // the change notice reaches the other instance
  assert.deepEqual((await loadWorkload(b, 'wl')).allowedResourceOauth2ReturnUrls, ['https://b.example/cb']);
});

test('DeleteWorkloadIdentity stops the workload being served by both instances', async () => {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const a = testServices({ store, clock });
  const b = testServices({ store, clock });
  await putWorkload(a, { name: 'wl' });
  await primed(a, 'wl');
  await primed(b, 'wl');
  await run(deleteWorkloadIdentity, b, { name: 'wl' });
  await notFound(loadWorkload(b, 'wl'), 'Workload identity wl does not exist.');
  await settle();
  await notFound(loadWorkload(a, 'wl'), 'Workload identity wl does not exist.');
});

test('DeleteOauth2CredentialProvider stops the provider being served by both instances', async () => {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const a = testServices({ store, clock });
  const b = testServices({ store, clock });
  const doc: Oauth2ProviderDoc = {
    name: 'p1', credentialProviderArn: 'arn:p1', vendor: 'CustomOauth2', configMember: 'customOauth2ProviderConfig', clientId: 'cid',
    clientSecret: await a.secrets.seal('csecret', clientSecretContext('p1')), clientSecretSource: 'MANAGED', clientSecretArn: 'arn:s',
    endpoints: { issuer: 'http://127.0.0.1:9', authorizationEndpoint: 'http://127.0.0.1:9/authorize', tokenEndpoint: 'http://127.0.0.1:9/token' },
    configOutput: {}, quirks: {}, callbackId: 'cb1', status: 'READY', createdTime: 0, lastUpdatedTime: 0,
  };
  await store.put(collections.oauth2Providers, 'p1', doc);
  for (const s of [a, b]) {
    await loadProvider(s, 'p1');
    await settle();
    assert.equal((await loadProvider(s, 'p1')).clientId, 'cid');
  }
  await run(deleteOauth2CredentialProvider, a, { name: 'p1' });
  await notFound(loadProvider(a, 'p1'), 'Credential provider p1 does not exist.');
  await settle();
  await notFound(loadProvider(b, 'p1'), 'Credential provider p1 does not exist.');
});

test('a read that started before a change does not put the old document back into the cache', async () => {
  const s = testServices();
  await putWorkload(s, { name: 'wl', allowedResourceOauth2ReturnUrls: ['https://old.example/cb'] });
  await primed(s, 'wl');
  await new Promise((r) => setTimeout(r, DOC_CACHE_TTL_MS + 20)); // expire the entry so the next read goes to the store
  const get = s.store.get.bind(s.store);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  s.store.get = (async (c: string, id: string) => {
    const rec = await get(c, id); // reads the old document...
    await gate; // ...and is overtaken by an update
    return rec;
  }) as typeof s.store.get;
  const slow = cachedDoc<WorkloadIdentityDoc>(s, collections.workloadIdentities, 'wl');
  await settle();
  s.store.get = get;
  await putWorkload(s, { name: 'wl', allowedResourceOauth2ReturnUrls: ['https://new.example/cb'] });
  await docChanged(s, collections.workloadIdentities, 'wl');
  release();
  assert.deepEqual((await slow)?.allowedResourceOauth2ReturnUrls, ['https://old.example/cb']);
  assert.deepEqual((await loadWorkload(s, 'wl')).allowedResourceOauth2ReturnUrls, ['https://new.example/cb']);
});
