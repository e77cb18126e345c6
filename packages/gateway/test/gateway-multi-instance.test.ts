// Two Mandate instances sharing only a PostgreSQL schema and the master key (two processes behind one load
// balancer): an MCP session opened on one is served by the other, and a gateway or target change made on one
// is seen by the other on its next request (the document cache is invalidated through NOTIFY).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CreateGatewayCommand, CreateGatewayTargetCommand, DeleteGatewayTargetCommand, UpdateGatewayCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { PostgresStore } from '@mandate/storage';
import { DATABASE_URL, dropSchema, freshSchema } from '@mandate/storage/test-pg';
import { makeKey, sign, startIssuer, type LocalIssuer, type SigningKey } from '@mandate/identity/test-jwt-fixtures';
import { createWeatherApi } from '@mandate/weather-agent/weather-api';
import { startWeatherMcpServer, type WeatherMcpServer } from '@mandate/weather-mcp';
import { ROLE_ARN, startMandate, type Mandate } from './harness.ts';

const schema = freshSchema();
let stores: PostgresStore[] = [];
let a: Mandate;
let b: Mandate;
let idp: LocalIssuer;
let key: SigningKey;
let weather: WeatherMcpServer;
let gatewayId = '';

before(async () => {
  key = await makeKey('k1');
  idp = await startIssuer('/shared', [key.jwk]);
  weather = await startWeatherMcpServer({ weatherApi: createWeatherApi() });
  const masterKey = randomBytes(32).toString('base64');
  stores = [await PostgresStore.open({ url: DATABASE_URL, schema }), await PostgresStore.open({ url: DATABASE_URL, schema })];
  a = await startMandate({ store: stores[0]!, masterKey });
  b = await startMandate({ store: stores[1]!, masterKey });
  gatewayId = (await a.control.send(new CreateGatewayCommand({
    name: 'shared', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: idp.discoveryUrl, allowedAudience: ['gw-1'] } },
  }))).gatewayId!;
  await a.control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, name: 'weather', targetConfiguration: { mcp: { mcpServer: { endpoint: weather.url } } } }));
});
after(async () => {
  await a?.close();
  await b?.close();
  for (const s of stores) await s.close();
  await dropSchema(schema);
  await weather?.close();
  await idp?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const token = (aud = 'gw-1', sub = 'user-1') => sign(key, { iss: idp.issuer, sub, aud, iat: now(), exp: now() + 600 });

async function rpc(m: Mandate, bearer: string, body: Record<string, unknown>, sessionId?: string): Promise<{ status: number; sessionId: string | null; json: { result?: { tools?: { name: string }[] }; error?: unknown } }> {
  const res = await fetch(`${m.url}/gateways/${gatewayId}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', ...body }),
  });
  return { status: res.status, sessionId: res.headers.get('mcp-session-id'), json: await res.json() as never };
}

const initialize = { id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const toolNames = async (m: Mandate, bearer: string, sessionId: string) => (await rpc(m, bearer, { id: 2, method: 'tools/list' }, sessionId)).json.result!.tools!.map((t) => t.name).sort();

test('a session opened on one instance is served by the other, for its own user only', async () => {
  const t = await token();
  const opened = await rpc(a, t, initialize);
  assert.equal(opened.status, 200);
  assert.deepEqual(await toolNames(b, t, opened.sessionId!), ['weather___get_weather']);
  const other = await rpc(b, await token('gw-1', 'user-2'), { id: 3, method: 'tools/list' }, opened.sessionId!);
  assert.equal(other.status, 404);
});

test('targets added, removed and an authorizer changed on one instance take effect on the other at its next request', async () => {
  const t = await token();
  const session = (await rpc(b, t, initialize)).sessionId!;
  assert.deepEqual(await toolNames(b, t, session), ['weather___get_weather']);
  const inline = JSON.stringify([{ name: 'alerts', inputSchema: { type: 'object' } }]);
  const added = await a.control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, name: 'alerts', targetConfiguration: { mcp: { mcpServer: { endpoint: weather.url, mcpToolSchema: { inlinePayload: inline } } } } }));
  assert.deepEqual(await toolNames(b, t, session), ['alerts___alerts', 'weather___get_weather']);
  await a.control.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: added.targetId! }));
  assert.deepEqual(await toolNames(b, t, session), ['weather___get_weather']);

  await a.control.send(new UpdateGatewayCommand({
    gatewayIdentifier: gatewayId, name: 'shared', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: idp.discoveryUrl, allowedAudience: ['gw-2'] } },
  }));
  assert.equal((await rpc(b, t, { id: 4, method: 'ping' }, session)).status, 401, 'a token for the old audience is refused at once');
  assert.equal((await rpc(b, await token('gw-2'), { id: 5, method: 'ping' }, session)).status, 200, 'the same user with a token for the new audience keeps the session');
});
