import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../src/router.ts';

const h = () => {};

test('static routes match exactly, by method', () => {
  const r = new Router().add('POST', '/identities/oauth2/token', h);
  const m = r.match('POST', '/identities/oauth2/token');
  assert.ok(m && m !== 'method');
  assert.deepEqual(m.params, {});
  assert.equal(r.match('GET', '/identities/oauth2/token'), 'method');
  assert.equal(r.match('POST', '/identities/oauth2/token/'), undefined);
  assert.equal(r.match('POST', '/identities/OAUTH2/token'), undefined);
});

test('a percent-encoded ARN label is matched as one segment and decoded after matching', () => {
  const r = new Router().add('POST', '/runtimes/:arn/invocations', h);
  const m = r.match('POST', '/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A123456789012%3Aruntime%2Fmy_agent-AbCdEf1234/invocations');
  assert.ok(m && m !== 'method');
  assert.equal(m.params.arn, 'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my_agent-AbCdEf1234');
  assert.equal(r.match('POST', '/runtimes//invocations'), undefined);
  assert.equal(r.match('POST', '/runtimes/a/b/invocations'), undefined);
});

test('trailing rest segments and method mismatch on dynamic routes', () => {
  const r = new Router().add('GET', '/files/*path', h).add('PUT', '/runtimes/:id/', h);
  const m = r.match('GET', '/files/a/b%20c');
  assert.ok(m && m !== 'method');
  assert.equal(m.params.path, 'a/b c');
  assert.equal(r.match('DELETE', '/runtimes/x/'), 'method');
});

test('malformed percent-encoding does not throw', () => {
  const r = new Router().add('GET', '/t/:v', h);
  const m = r.match('GET', '/t/%E0%A4%A');
  assert.ok(m && m !== 'method');
  assert.equal(m.params.v, '%E0%A4%A');
});
