// Dynamic client registration (RFC 7591) and RFC 8414 metadata of the user-pool emulator: what MCP clients
// use to sign in knowing only a server's URL. The registered client is an ordinary app client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateUserPoolCommand, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startUserPoolEmulator, type UserPoolEmulator } from '../src/userpool/index.ts';
import { sdkClient } from './userpool-helpers.ts';

let emu: UserPoolEmulator;
let cognito: ReturnType<typeof sdkClient>;
let poolId: string;
let registration: string;

before(async () => {
  emu = await startUserPoolEmulator({});
  cognito = sdkClient(emu.url);
  poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'Dcr' }))).UserPool!.Id!;
  registration = `${emu.url}/${poolId}/oauth2/register`;
});
after(async () => {
  cognito.destroy();
  await emu.close();
});

const register = (body: unknown) => fetch(registration, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('RFC 8414 metadata (path-inserted well-known) and the OIDC document both advertise the registration endpoint', async () => {
  const oauth = await (await fetch(`${emu.url}/.well-known/oauth-authorization-server/${poolId}`)).json() as Record<string, unknown>;
  const oidc = await (await fetch(emu.discoveryUrl(poolId))).json() as Record<string, unknown>;
  assert.deepEqual(oauth, oidc);
  assert.equal(oauth.registration_endpoint, registration);
  assert.deepEqual(oauth.code_challenge_methods_supported, ['S256']);
});

test('a public client registers (no secret) and becomes an app client with exactly its redirect URIs and the code flow', async () => {
  const res = await register({ redirect_uris: ['http://127.0.0.1:33418/callback'], client_name: 'Claude Desktop', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], scope: 'openid email made-up' });
  assert.equal(res.status, 201);
  const out = await res.json() as Record<string, unknown>;
  assert.equal(out.client_secret, undefined);
  assert.equal(out.scope, 'openid email', 'scopes the pool does not have are dropped');
  assert.equal(out.token_endpoint_auth_method, 'none');
  const c = (await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: String(out.client_id) }))).UserPoolClient!;
  assert.equal(c.ClientName, 'Claude Desktop');
  assert.deepEqual(c.CallbackURLs, ['http://127.0.0.1:33418/callback']);
  assert.deepEqual(c.AllowedOAuthFlows, ['code']);
  assert.equal(c.ClientSecret, undefined);
  const conf = await (await register({ redirect_uris: ['https://app.example/cb'] })).json() as Record<string, unknown>;
  assert.match(String(conf.client_secret), /^[a-z0-9]{40,}$/, 'client_secret_basic (the RFC 7591 default) gets a secret');
});

test('bad metadata is 400 with the RFC 7591 error codes, and no client is created', async () => {
  const cases: Array<[unknown, string, string]> = [
    [{ redirect_uris: ['http://evil.example/cb'] }, 'invalid_redirect_uri', 'http://evil.example/cb is not allowed: use https, or http on localhost/127.0.0.1.'],
    [{ redirect_uris: ['https://app.example/cb#frag'] }, 'invalid_redirect_uri', 'https://app.example/cb#frag is not allowed: use https, or http on localhost/127.0.0.1.'],
    [{ client_name: 'x' }, 'invalid_redirect_uri', 'redirect_uris: Invalid input: expected array, received undefined'],
    [{ redirect_uris: ['https://app.example/cb'], scope: 'nothing-known' }, 'invalid_client_metadata', 'scope: none of nothing-known is a scope of this pool (openid email phone profile aws.cognito.signin.user.admin).'],
    [{ redirect_uris: ['https://app.example/cb'], grant_types: ['client_credentials'] }, 'invalid_client_metadata', 'grant_types.0: Invalid option: expected one of "authorization_code"|"refresh_token"'],
  ];
  const count = async () => emu.poolByName('Dcr')!.clients.length;
  const before = await count();
  for (const [body, error, description] of cases) {
    const res = await register(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.deepEqual(await res.json(), { error, error_description: description });
  }
  const notJson = await fetch(registration, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not json' });
  assert.deepEqual(await notJson.json(), { error: 'invalid_client_metadata', error_description: 'The request body must be a JSON object of client metadata.' });
  assert.equal(await count(), before);
  const noPool = await fetch(`${emu.url}/us-west-2_nothere/oauth2/register`, { method: 'POST', body: '{}' });
  assert.equal(noPool.status, 404);
});
