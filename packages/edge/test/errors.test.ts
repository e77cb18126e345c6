import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MandateError, silentLogger } from '@mandate/core';
import { listen, Router, serve } from '@mandate/http';
import { LockTimeoutError, StoreConflictError } from '@mandate/storage';
import { defineRoute, registerRoutes, renderAwsError, toMandateError } from '../src/index.ts';

const services = { logger: silentLogger };

async function start() {
  const failing = (path: string, err: Error) => defineRoute({ method: 'POST', path, handle: async () => { throw err; } });
  const router = registerRoutes(new Router(), [
    failing('/lock', new LockTimeoutError('mandate:refresh:abc')),
    failing('/conflict', new StoreConflictError('vault_tokens', 'x')),
    failing('/denied', new MandateError('binding_mismatch', 'The user who completed the authorization is not the user who started it.')),
  ], (rc, err) => renderAwsError(rc, err, services));
  return listen(serve(router));
}

test('a lock timeout is a 503 with Retry-After, never an internal error; the lock name stays in the log', async () => {
  const s = await start();
  try {
    const r = await fetch(`${s.url}/lock`, { method: 'POST' });
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('x-amzn-errortype'), 'InternalServerException');
    assert.equal(r.headers.get('retry-after'), '1');
    assert.deepEqual(await r.json(), { message: 'Another request is working on this resource right now. Retry in a moment.' });
  } finally {
    await s.close();
  }
});

test('a store conflict nobody translated is a retryable ConflictException naming no row', async () => {
  const s = await start();
  try {
    const r = await fetch(`${s.url}/conflict`, { method: 'POST' });
    assert.equal(r.status, 409);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ConflictException');
    assert.deepEqual(await r.json(), { message: 'The resource was changed or created by another request at the same time. Retry the call.' });
  } finally {
    await s.close();
  }
});

test('each code keeps its own type and status through a route: a binding mismatch is AccessDeniedException 403', async () => {
  const s = await start();
  try {
    const r = await fetch(`${s.url}/denied`, { method: 'POST' });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  } finally {
    await s.close();
  }
  const passthrough = new Error('unknown');
  assert.equal(toMandateError(passthrough), passthrough);
  assert.equal((toMandateError(new LockTimeoutError('k')) as MandateError).code, 'unavailable');
});
