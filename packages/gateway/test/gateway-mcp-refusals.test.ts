// What the gateway's MCP endpoint refuses, and how: bearer tokens that are expired, of a foreign issuer, for
// another audience or without the scope (401/403 with the RFC 9728 challenge), and requests that are not
// valid MCP (the JSON-RPC error shape, never a 500), against a local issuer with keys the test holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateGatewayCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { makeKey, sign, startIssuer, type LocalIssuer, type SigningKey } from '@mandate/identity/test-jwt-fixtures';
import { ROLE_ARN, startMandate, type Mandate } from './harness.ts';

let m: Mandate;
let idp: LocalIssuer;
let other: LocalIssuer;
let key: SigningKey;
let otherKey: SigningKey;
let url = '';
let prm = '';

before(async () => {
  key = await makeKey('k1');
  otherKey = await makeKey('k2');
  idp = await startIssuer('/tenant-a', [key.jwk]);
  other = await startIssuer('/tenant-b', [otherKey.jwk]);
  m = await startMandate();
  const gw = await m.control.send(new CreateGatewayCommand({
    name: 'strict', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT',
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: idp.discoveryUrl, allowedAudience: ['gateway-api'], allowedScopes: ['tools.call'] } },
  }));
  url = gw.gatewayUrl!;
  prm = `${m.url}/.well-known/oauth-protected-resource/gateways/${gw.gatewayId}/mcp`;
});
after(async () => {
  await m?.close();
  await idp?.close();
  await other?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown> = {}, k = key, issuer = idp.issuer) =>
  sign(k, { iss: issuer, sub: 'user-1', aud: 'gateway-api', scope: 'tools.call', iat: now(), exp: now() + 600, ...claims });

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
}

const rpcError = (code: number, message: string, id: number | null = null) => ({ jsonrpc: '2.0', id, error: { code, message } });

test('expired, foreign-issuer, wrong-audience and forged tokens get 401 with the metadata challenge; a missing scope gets 403', async () => {
  const challenge = `Bearer error="invalid_token", resource_metadata="${prm}", scope="tools.call"`;
  for (const [why, t] of [
    ['expired', await token({ iat: now() - 7200, exp: now() - 3600 })],
    ['foreign issuer', await token({}, otherKey, other.issuer)],
    ['wrong audience', await token({ aud: 'another-api' })],
    ['forged', (await token()).slice(0, -4) + 'AAAA'],
  ] as const) {
    const r = await post(INIT, { authorization: `Bearer ${t}` });
    assert.equal(r.status, 401, why);
    assert.equal(r.headers.get('www-authenticate'), challenge, why);
    assert.deepEqual(r.json, rpcError(-32600, 'The bearer token is not valid for this resource.'), why);
  }
  const noScope = await post(INIT, { authorization: `Bearer ${await token({ scope: 'profile' })}` });
  assert.equal(noScope.status, 403);
  assert.match(noScope.headers.get('www-authenticate')!, /^Bearer error="insufficient_scope", scope="tools\.call", resource_metadata="/);
  assert.equal(await m.identity.services.store.count('gateway-mcp-sessions'), 0, 'no session was opened');
});

test('requests that are not valid MCP get JSON-RPC errors with a precise message, never a 500', async () => {
  const auth = { authorization: `Bearer ${await token()}` };
  const parse = await post('{not json', auth);
  assert.deepEqual([parse.status, parse.json], [400, rpcError(-32700, 'The body is not JSON.')]);
  const batch = await post([INIT], auth);
  assert.deepEqual([batch.status, batch.json], [400, rpcError(-32600, 'JSON-RPC batches are not supported (MCP 2025-06-18): send one message per request.')]);
  const notRpc = await post({ hello: 'world' }, auth);
  assert.deepEqual([notRpc.status, notRpc.json], [400, rpcError(-32600, 'The body is not a JSON-RPC 2.0 request, notification or response.')]);
  const badInit = await post({ jsonrpc: '2.0', id: 2, method: 'initialize', params: {} }, auth);
  assert.deepEqual([badInit.status, badInit.json], [200, rpcError(-32602, 'initialize needs params.protocolVersion, params.capabilities and params.clientInfo.', 2)]);
  const noSession = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, auth);
  assert.deepEqual([noSession.status, noSession.json], [400, rpcError(-32600, 'Mcp-Session-Id is required: call initialize first.', 3)]);
  const unknownSession = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { ...auth, 'mcp-session-id': 'x'.repeat(43) });
  assert.deepEqual([unknownSession.status, unknownSession.json], [404, rpcError(-32600, 'Session not found: start a new MCP session (initialize).')]);

  // A good initialize negotiates down to what the gateway speaks and opens a session for this user only.
  const init = await post({ ...INIT, params: { ...INIT.params, protocolVersion: '2099-01-01' } }, auth);
  assert.equal(init.status, 200);
  assert.deepEqual(init.json, { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-11-25', capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'strict', version: '1.0.0' } } });
  const sessionId = init.headers.get('mcp-session-id')!;
  assert.match(sessionId, /^[A-Za-z0-9_-]{43}$/);
  const s = { ...auth, 'mcp-session-id': sessionId };
  const badVersion = await post({ jsonrpc: '2.0', id: 5, method: 'tools/list' }, { ...s, 'mcp-protocol-version': '1999-01-01' });
  assert.deepEqual([badVersion.status, badVersion.json], [400, rpcError(-32600, 'Unsupported MCP-Protocol-Version 1999-01-01: this gateway speaks 2025-11-25, 2025-06-18, 2025-03-26.')]);
  const list = await post({ jsonrpc: '2.0', id: 6, method: 'tools/list' }, s);
  assert.deepEqual([list.status, list.json], [200, { jsonrpc: '2.0', id: 6, result: { tools: [] } }]);
  const note = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, s);
  assert.deepEqual([note.status, note.json], [202, undefined]);
  const badCall = await post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { arguments: {} } }, s);
  assert.deepEqual([badCall.status, badCall.json], [200, rpcError(-32602, 'tools/call needs params.name (a string) and optional params.arguments (an object).', 7)]);
  // Another user of the same issuer cannot use the session.
  const other = await post({ jsonrpc: '2.0', id: 8, method: 'ping' }, { authorization: `Bearer ${await token({ sub: 'user-2' })}`, 'mcp-session-id': sessionId });
  assert.deepEqual([other.status, other.json], [404, rpcError(-32600, 'Session not found: start a new MCP session (initialize).')]);
  const ping = await post({ jsonrpc: '2.0', id: 9, method: 'ping' }, s);
  assert.deepEqual(ping.json, { jsonrpc: '2.0', id: 9, result: {} });

  const get = await fetch(url, { headers: { ...auth, accept: 'text/event-stream' } });
  assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST, DELETE']);
  const end = await fetch(url, { method: 'DELETE', headers: s });
  assert.equal(end.status, 204);
  const after = await post({ jsonrpc: '2.0', id: 10, method: 'ping' }, s);
  assert.equal(after.status, 404, 'an ended session is gone');

  const noGateway = await fetch(`${m.url}/gateways/nosuch-aaaaaaaaaa/mcp`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(INIT) });
  assert.deepEqual([noGateway.status, await noGateway.json()], [404, rpcError(-32600, 'The gateway nosuch-aaaaaaaaaa does not exist.')]);
  assert.equal(m.logLines.some((l) => l.includes('unhandled error')), false);
});
