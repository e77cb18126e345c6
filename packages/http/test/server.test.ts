import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MandateError, validationError } from '@mandate/core';
import { Router, serve, listen, readJson, sendJson } from '../src/index.ts';

async function start() {
  const router = new Router()
    .add('POST', '/echo', async (ctx) => sendJson(ctx.res, 200, await readJson(ctx.req, 64)))
    .add('POST', '/fail', () => {
      throw validationError('bad field', [{ name: 'name', message: 'too long' }]);
    })
    .add('POST', '/boom', async () => {
      throw new Error('secret-internal-detail');
    });
  return listen(serve(router));
}

test('AWS-shaped errors: type header, message, reason and fieldList', async () => {
  const s = await start();
  try {
    const r = await fetch(`${s.url}/fail`, { method: 'POST' });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.ok(r.headers.get('x-amzn-requestid'));
    assert.deepEqual(await r.json(), { message: 'bad field', reason: 'FieldValidationFailed', fieldList: [{ name: 'name', message: 'too long' }] });
  } finally {
    await s.close();
  }
});

test('unexpected errors become a generic InternalServerException without internal detail', async () => {
  const s = await start();
  try {
    const r = await fetch(`${s.url}/boom`, { method: 'POST' });
    assert.equal(r.status, 500);
    assert.equal(r.headers.get('x-amzn-errortype'), 'InternalServerException');
    const text = await r.text();
    assert.doesNotMatch(text, /secret-internal-detail|at .*\.ts/);
  } finally {
    await s.close();
  }
});

test('bodies over the limit, non-JSON and non-object bodies are refused precisely', async () => {
  const s = await start();
  try {
    let r = await fetch(`${s.url}/echo`, { method: 'POST', body: 'x'.repeat(100) });
    assert.equal(r.status, 413);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
    r = await fetch(`${s.url}/echo`, { method: 'POST', body: '{nope' });
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), { message: 'The request body is not valid JSON.', reason: 'CannotParse' });
    r = await fetch(`${s.url}/echo`, { method: 'POST', body: '[1]' });
    assert.deepEqual(await r.json(), { message: 'The request body must be a JSON object.', reason: 'CannotParse' });
    r = await fetch(`${s.url}/echo`, { method: 'POST', body: '{"a":1}' });
    assert.deepEqual(await r.json(), { a: 1 });
    r = await fetch(`${s.url}/nowhere`, { method: 'POST' });
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    r = await fetch(`${s.url}/echo`, { method: 'GET' });
    assert.equal(r.status, 405);
  } finally {
    await s.close();
  }
});

test('MandateError carries its AWS type and status from one table', () => {
  const e = new MandateError('not_found', 'x');
  assert.equal(e.awsType, 'ResourceNotFoundException');
  assert.equal(e.status, 404);
  assert.equal(new MandateError('quota_exceeded', 'q').status, 402);
});
