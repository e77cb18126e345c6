import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { silentLogger } from '@mandate/core';
import { listen, Router, sendJson, serve } from '@mandate/http';
import { defineRoute, registerRoutes, renderAwsError } from '../src/index.ts';

const services = { logger: silentLogger };
const calls: unknown[] = [];

async function start() {
  calls.length = 0;
  const router = registerRoutes(new Router(), [
    defineRoute({
      method: 'POST',
      path: '/things/:id',
      query: z.object({ qualifier: z.string().regex(/^[A-Z]+$/, 'Member must be upper case').optional() }),
      headers: { bind: { sessionId: 'x-session-id' }, schema: z.object({ sessionId: z.string().min(3, 'Member must have length greater than or equal to 3') }) },
      async handle({ query, headers, rc }) {
        calls.push({ id: rc.params.id, query, headers });
        sendJson(rc.res, 200, { ok: true });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/form',
      form: { limit: 64, schema: z.object({ name: z.string({ error: 'Enter a name.' }).min(1, { error: 'Enter a name.' }) }) },
      async handle({ form, rc }) {
        calls.push(form);
        sendJson(rc.res, 200, form);
      },
    }),
  ], (rc, err) => renderAwsError(rc, err, services));
  return listen(serve(router));
}

test('a route gets its query and bound headers as its schemas parsed them (first value, unknown names dropped)', async () => {
  const s = await start();
  try {
    const r = await fetch(`${s.url}/things/a%2Fb?qualifier=DEV&qualifier=PROD&other=1`, { method: 'POST', headers: { 'x-session-id': 'abcd' } });
    assert.equal(r.status, 200);
    assert.deepEqual(calls, [{ id: 'a/b', query: { qualifier: 'DEV' }, headers: { sessionId: 'abcd' } }]);
  } finally {
    await s.close();
  }
});

test('bad input is one ValidationException naming the member (not the header), and the handler never runs', async () => {
  const s = await start();
  try {
    const r = await fetch(`${s.url}/things/x?qualifier=dev`, { method: 'POST', headers: { 'x-session-id': 'ab' }, body: 'unread body' });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
    const body = await r.json() as { message: string; fieldList: unknown };
    assert.deepEqual(body.fieldList, [
      { name: 'qualifier', message: 'Member must be upper case' },
      { name: 'sessionId', message: 'Member must have length greater than or equal to 3' },
    ]);
    assert.equal(body.message, "2 validation errors detected: Value at 'qualifier' failed to satisfy constraint: Member must be upper case; Value at 'sessionId' failed to satisfy constraint: Member must have length greater than or equal to 3");
    const h = await fetch(`${s.url}/things/x`, { method: 'POST', headers: { 'x-session-id': '' } });
    assert.equal(h.status, 400, 'an empty header counts as absent, and this one is required');
    assert.deepEqual((await h.json() as { fieldList: unknown }).fieldList, [{ name: 'sessionId', message: 'Member must not be null' }]);
    const short = await fetch(`${s.url}/things/x`, { method: 'POST', headers: { 'x-session-id': 'ab' } });
    assert.deepEqual((await short.json() as { fieldList: unknown }).fieldList, [{ name: 'sessionId', message: 'Member must have length greater than or equal to 3' }]);
    assert.deepEqual(calls, []);
  } finally {
    await s.close();
  }
});

test('a form body is read up to its limit, parsed and validated at the edge', async () => {
  const s = await start();
  try {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await fetch(`${s.url}/form`, { method: 'POST', headers: form, body: 'name=Ada&name=Bob&x=1' });
    assert.deepEqual(await ok.json(), { name: 'Ada' });
    const empty = await fetch(`${s.url}/form`, { method: 'POST', headers: form, body: 'name=' });
    assert.equal(empty.status, 400);
    assert.deepEqual((await empty.json() as { fieldList: unknown }).fieldList, [{ name: 'name', message: 'Enter a name.' }]);
    const big = await fetch(`${s.url}/form`, { method: 'POST', headers: form, body: `name=${'a'.repeat(100)}` });
    assert.equal(big.status, 413);
    assert.deepEqual(calls, [{ name: 'Ada' }]);
  } finally {
    await s.close();
  }
});
