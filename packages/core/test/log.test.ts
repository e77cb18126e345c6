import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger, redact } from '../src/log.ts';

test('secret-bearing keys are redacted at any depth', () => {
  const log = memoryLogger();
  log.info('token exchange', { headers: { Authorization: 'Bearer canary-123' }, body: { client_secret: 'canary-456', refresh_token: 'canary-789', scope: 'read' } });
  const line = log.lines.join('');
  assert.doesNotMatch(line, /canary-/);
  assert.match(line, /"scope":"read"/);
});

test('errors are reduced to name, message and code', () => {
  assert.deepEqual(redact({ e: Object.assign(new Error('m'), { code: 'x' }) }), { e: { name: 'Error', message: 'm', code: 'x' } });
});
