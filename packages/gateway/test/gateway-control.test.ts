// The gateway control plane through the unmodified @aws-sdk/client-bedrock-agentcore-control: every
// operation's shape, the target's tools synchronized from a live MCP server, and bad input answered in the
// AWS error shape with nothing changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApiKeyCredentialProviderCommand, CreateGatewayCommand, CreateGatewayTargetCommand, CreateOauth2CredentialProviderCommand, DeleteGatewayCommand,
  DeleteGatewayTargetCommand, GetGatewayCommand, GetGatewayTargetCommand, GetWorkloadIdentityCommand, ListGatewaysCommand, ListGatewayTargetsCommand,
  SynchronizeGatewayTargetsCommand, UpdateGatewayCommand, UpdateGatewayTargetCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { createWeatherApi } from '@mandate/weather-agent/weather-api';
import { startWeatherMcpServer, type WeatherMcpServer } from '@mandate/weather-mcp';
import { gatewayCollections } from '../src/index.ts';
import { closedPort, ROLE_ARN, startMandate, type Mandate } from './harness.ts';

let m: Mandate;
let weather: WeatherMcpServer;
let oauthArn = '';
let apiKeyArn = '';
const discoveryUrl = 'http://127.0.0.1:9/pool/.well-known/openid-configuration';
const authorizer = { customJWTAuthorizer: { discoveryUrl, allowedClients: ['client-a'], advertisedScopeMapping: { read: 'weather/read' } } };

before(async () => {
  m = await startMandate();
  weather = await startWeatherMcpServer({ weatherApi: createWeatherApi() });
  oauthArn = (await m.control.send(new CreateOauth2CredentialProviderCommand({
    name: 'entra', credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: '00000000-0000-0000-0000-000000000001', clientSecret: 'secret-value', tenantId: '00000000-0000-0000-0000-000000000002' } },
  }))).credentialProviderArn!;
  apiKeyArn = (await m.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'weather-key', apiKey: 'canary-api-key-value' }))).credentialProviderArn!;
});
after(async () => {
  await m?.close();
  await weather?.close();
});

const mcpTarget = (endpoint = weather.url) => ({ mcp: { mcpServer: { endpoint } } });
const userFederation = () => [{ credentialProviderType: 'OAUTH' as const, credentialProvider: { oauthCredentialProvider: { providerArn: oauthArn, scopes: ['api://x/read'], grantType: 'AUTHORIZATION_CODE' as const } } }];

test('create, get, list, update and delete a gateway; its workload identity trusts the gateway\'s authorizer', async () => {
  const created = await m.control.send(new CreateGatewayCommand({ name: 'weather-gw', roleArn: ROLE_ARN, protocolType: 'MCP', authorizerType: 'CUSTOM_JWT', authorizerConfiguration: authorizer, description: 'the weather tools', tags: { team: 'a' } }));
  assert.match(created.gatewayId!, /^weather-gw-[0-9a-z]{10}$/);
  assert.equal(created.gatewayArn, `arn:aws:bedrock-agentcore:us-west-2:123456789012:gateway/${created.gatewayId}`);
  assert.equal(created.gatewayUrl, `${m.url}/gateways/${created.gatewayId}/mcp`);
  assert.equal(created.status, 'CREATING');
  assert.deepEqual(created.authorizerConfiguration, authorizer);
  const got = await m.control.send(new GetGatewayCommand({ gatewayIdentifier: created.gatewayArn! }));
  assert.equal(got.status, 'READY');
  assert.equal(got.description, 'the weather tools');
  assert.equal(got.protocolType, 'MCP');
  assert.ok(got.createdAt instanceof Date);
  const workloadName = got.workloadIdentityDetails!.workloadIdentityArn!.split('/').at(-1)!;
  const wl = await m.control.send(new GetWorkloadIdentityCommand({ name: workloadName }));
  assert.deepEqual(wl.allowedResourceOauth2ReturnUrls, [`${m.url}/identities/oauth2/return`]);

  const listed = await m.control.send(new ListGatewaysCommand({}));
  assert.deepEqual(listed.items!.map((g) => [g.gatewayId, g.name, g.status, g.authorizerType, g.protocolType]), [[created.gatewayId, 'weather-gw', 'READY', 'CUSTOM_JWT', 'MCP']]);

  const updated = await m.control.send(new UpdateGatewayCommand({
    gatewayIdentifier: created.gatewayId!, name: 'weather-gw', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT',
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl, allowedClients: ['client-b'] } },
  }));
  assert.equal(updated.status, 'UPDATING');
  assert.equal(updated.description, undefined, 'an update replaces the whole configuration');
  assert.deepEqual((await m.control.send(new GetGatewayCommand({ gatewayIdentifier: created.gatewayId! }))).authorizerConfiguration, { customJWTAuthorizer: { discoveryUrl, allowedClients: ['client-b'] } });

  const deleted = await m.control.send(new DeleteGatewayCommand({ gatewayIdentifier: created.gatewayId! }));
  assert.deepEqual([deleted.gatewayId, deleted.status], [created.gatewayId, 'DELETING']);
  await assert.rejects(m.control.send(new GetGatewayCommand({ gatewayIdentifier: created.gatewayId! })), { name: 'ResourceNotFoundException', message: `The gateway ${created.gatewayId} does not exist.` });
  await assert.rejects(m.control.send(new GetWorkloadIdentityCommand({ name: workloadName })), { name: 'ResourceNotFoundException' });
});

test('a target\'s tools are synchronized from its MCP server; update, synchronize, list and delete it', async () => {
  const gw = await m.control.send(new CreateGatewayCommand({ name: 'tools-gw', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: authorizer }));
  const t = await m.control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, name: 'weather', targetConfiguration: mcpTarget(), credentialProviderConfigurations: userFederation() }));
  assert.match(t.targetId!, /^[0-9A-Z]{10}$/);
  assert.equal(t.gatewayArn, gw.gatewayArn);
  assert.deepEqual(t.targetConfiguration, mcpTarget());
  assert.deepEqual(t.credentialProviderConfigurations, userFederation());
  const got = await m.control.send(new GetGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: t.targetId! }));
  assert.equal(got.status, 'READY');
  assert.ok(got.lastSynchronizedAt instanceof Date);
  const stored = await m.identity.services.store.get<{ tools: { name: string }[] }>(gatewayCollections.targets, `${gw.gatewayId}/${t.targetId}`);
  assert.deepEqual(stored!.doc.tools.map((x) => x.name), ['get_weather']);

  const inline = JSON.stringify([{ name: 'forecast', description: 'inline', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }]);
  const second = await m.control.send(new CreateGatewayTargetCommand({
    gatewayIdentifier: gw.gatewayId!, name: 'keyed', targetConfiguration: { mcp: { mcpServer: { endpoint: weather.url, mcpToolSchema: { inlinePayload: inline } } } },
    credentialProviderConfigurations: [{ credentialProviderType: 'API_KEY', credentialProvider: { apiKeyCredentialProvider: { providerArn: apiKeyArn, credentialLocation: 'HEADER', credentialParameterName: 'x-api-key' } } }],
  }));
  const items = (await m.control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gw.gatewayId! }))).items!;
  assert.deepEqual(items.map((i) => [i.name, i.status, i.targetType]).sort(), [['keyed', 'READY', 'MCP_SERVER'], ['weather', 'READY', 'MCP_SERVER']]);
  const page = await m.control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gw.gatewayId!, maxResults: 1 }));
  assert.equal(page.items!.length, 1);
  const rest = await m.control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gw.gatewayId!, nextToken: page.nextToken! }));
  assert.equal(rest.items!.length, 1);
  assert.notEqual(rest.items![0]!.targetId, page.items![0]!.targetId);

  await assert.rejects(m.control.send(new SynchronizeGatewayTargetsCommand({ gatewayIdentifier: gw.gatewayId!, targetIdList: [second.targetId!] })),
    { name: 'ValidationException', message: `The target ${second.targetId} has an inline mcpToolSchema: there is nothing to synchronize.` });
  const synced = await m.control.send(new SynchronizeGatewayTargetsCommand({ gatewayIdentifier: gw.gatewayId!, targetIdList: [t.targetId!] }));
  assert.deepEqual(synced.targets!.map((x) => [x.targetId, x.status]), [[t.targetId, 'READY']]);

  const renamed = await m.control.send(new UpdateGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: t.targetId!, name: 'forecasts', targetConfiguration: mcpTarget(), credentialProviderConfigurations: userFederation() }));
  assert.equal(renamed.name, 'forecasts');
  await assert.rejects(m.control.send(new UpdateGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: t.targetId!, name: 'keyed', targetConfiguration: mcpTarget() })),
    { name: 'ConflictException', message: `The gateway ${gw.gatewayId} already has a target named keyed.` });

  await assert.rejects(m.control.send(new DeleteGatewayCommand({ gatewayIdentifier: gw.gatewayId! })),
    { name: 'ValidationException', message: `The gateway ${gw.gatewayId} still has targets: delete them first (DeleteGatewayTarget).` });
  for (const id of [t.targetId!, second.targetId!]) {
    const d = await m.control.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: id }));
    assert.deepEqual([d.targetId, d.status], [id, 'DELETING']);
  }
  await assert.rejects(m.control.send(new GetGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: t.targetId! })),
    { name: 'ResourceNotFoundException', message: `The target ${t.targetId} of gateway ${gw.gatewayId} does not exist.` });
  await m.control.send(new DeleteGatewayCommand({ gatewayIdentifier: gw.gatewayId! }));
});

test('a target whose MCP server is down is FAILED with the reason, and synchronizes once it is back', async () => {
  const closed = await closedPort();
  const gw = await m.control.send(new CreateGatewayCommand({ name: 'down-gw', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: authorizer }));
  const t = await m.control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, name: 'gone', targetConfiguration: mcpTarget(`http://127.0.0.1:${closed}/mcp`) }));
  assert.equal(t.status, 'FAILED');
  assert.deepEqual(t.statusReasons, [`Listing the tools of http://127.0.0.1:${closed}/mcp failed: connection failed (ECONNREFUSED). Fix the target, then call SynchronizeGatewayTargets.`]);
  const fixed = await m.control.send(new UpdateGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: t.targetId!, name: 'gone', targetConfiguration: mcpTarget() }));
  assert.equal(fixed.status, 'UPDATING');
  assert.equal((await m.control.send(new GetGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: t.targetId! }))).statusReasons, undefined);
});

test('bad input gets a precise AWS error and changes nothing', async () => {
  const before = await m.identity.services.store.count(gatewayCollections.gateways);
  const targetsBefore = await m.identity.services.store.count(gatewayCollections.targets);
  const bad = async (input: Record<string, unknown>, name: string, message: string | RegExp) =>
    assert.rejects(m.control.send(new CreateGatewayCommand({ name: 'bad-gw', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: authorizer, ...input } as never)), { name, message });
  await bad({ authorizerType: 'AWS_IAM' }, 'ValidationException', 'authorizerType: Mandate\'s gateway acts for the user a JWT names, so it needs CUSTOM_JWT (not AWS_IAM).');
  await bad({ authorizerConfiguration: undefined }, 'ValidationException', 'authorizerConfiguration: a CUSTOM_JWT gateway needs authorizerConfiguration.customJWTAuthorizer.');
  await bad({ name: 'no_underscores' }, 'ValidationException', /name/);
  await bad({ protocolConfiguration: { mcp: { supportedVersions: ['2024-01-01'] } } }, 'ValidationException', /2024-01-01 is not an MCP version/);
  await bad({ policyEngineConfiguration: { arn: 'x', mode: 'ENFORCE' } }, 'ValidationException', 'policyEngineConfiguration: is not supported by Mandate\'s gateway; leave it out.');
  await bad({ authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://idp.example.com/x' , allowedClients: ['a'] } } }, 'ValidationException', /discoveryUrl/);
  assert.equal(await m.identity.services.store.count(gatewayCollections.gateways), before);

  const gw = await m.control.send(new CreateGatewayCommand({ name: 'strict-gw', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: authorizer }));
  await assert.rejects(m.control.send(new CreateGatewayCommand({ name: 'strict-gw', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT', authorizerConfiguration: authorizer })), { name: 'ConflictException', message: 'A gateway named strict-gw already exists.' });
  const badTarget = async (input: Record<string, unknown>, message: string | RegExp, name = 'ValidationException') =>
    assert.rejects(m.control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, name: 't1', targetConfiguration: mcpTarget(), ...input } as never)), { name, message });
  await badTarget({ targetConfiguration: { mcp: { lambda: { lambdaArn: 'arn:aws:lambda:us-west-2:123456789012:function:f', toolSchema: { inlinePayload: [] } } } } }, 'targetConfiguration: lambda targets are not supported by Mandate\'s gateway; it serves mcp.mcpServer targets.');
  await badTarget({ targetConfiguration: mcpTarget('ftp://example.com/mcp') }, /targetConfiguration\.mcp\.mcpServer\.endpoint/);
  await badTarget({ targetConfiguration: mcpTarget('https://169.254.169.254/mcp') }, /must not point at a loopback, private or link-local address/);
  await badTarget({ credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn: oauthArn.replace('entra', 'nosuch'), scopes: [] } } }] }, 'Credential provider nosuch does not exist.', 'ResourceNotFoundException');
  await badTarget({ credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn: 'arn:aws:bedrock-agentcore:eu-west-1:999999999999:token-vault/default/oauth2credentialprovider/entra', scopes: [] } } }] }, /is not the ARN of a credential provider of this server/);
  await badTarget({ credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn: apiKeyArn, scopes: [] } } }] }, 'credentialProviderConfigurations[0].credentialProvider.oauthCredentialProvider.providerArn: must name an OAuth2 credential provider.');
  await badTarget({ credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }] }, 'credentialProviderConfigurations[0].credentialProviderType: GATEWAY_IAM_ROLE is not supported by Mandate\'s gateway; use OAUTH or API_KEY (or no credential).');
  await badTarget({ targetConfiguration: { mcp: { mcpServer: { endpoint: weather.url, mcpToolSchema: { inlinePayload: '[{"name":"bad name!"}]' } } } } }, 'targetConfiguration.mcp.mcpServer.mcpToolSchema.inlinePayload[0].name: must be 1–128 letters, digits, _, - or .');
  await assert.rejects(m.control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: 'nosuch-gw-aaaaaaaaaa', name: 't1', targetConfiguration: mcpTarget() })), { name: 'ResourceNotFoundException', message: 'The gateway nosuch-gw-aaaaaaaaaa does not exist.' });
  await assert.rejects(m.control.send(new GetGatewayTargetCommand({ gatewayIdentifier: gw.gatewayId!, targetId: 'not-an-id' })), { name: 'ValidationException' });
  assert.equal(await m.identity.services.store.count(gatewayCollections.targets), targetsBefore);
  assert.equal(m.logLines.some((l) => l.includes('canary-api-key-value') || l.includes('secret-value')), false, 'no secret in the log');
  await m.control.send(new DeleteGatewayCommand({ gatewayIdentifier: gw.gatewayId! }));
});

test('a retried Create with the same clientToken gets the first answer; the same token for another request is refused', async () => {
  const clientToken = 'retry-00000000-0000-4000-8000-000000000001';
  const input = { name: 'idem-gw', roleArn: ROLE_ARN, authorizerType: 'CUSTOM_JWT' as const, authorizerConfiguration: authorizer, clientToken };
  const first = await m.control.send(new CreateGatewayCommand(input));
  const again = await m.control.send(new CreateGatewayCommand(input));
  assert.equal(again.gatewayId, first.gatewayId);
  await assert.rejects(m.control.send(new CreateGatewayCommand({ ...input, name: 'idem-gw-2' })), {
    name: 'ValidationException', message: 'This clientToken was already used with a different request. Use a new clientToken for a new request.',
  });
  assert.equal((await m.control.send(new ListGatewaysCommand({}))).items!.filter((g) => g.name?.startsWith('idem-gw')).length, 1);
  const t = { gatewayIdentifier: first.gatewayId!, name: 'idem-target', targetConfiguration: mcpTarget(), clientToken };
  const t1 = await m.control.send(new CreateGatewayTargetCommand(t));
  assert.equal((await m.control.send(new CreateGatewayTargetCommand(t))).targetId, t1.targetId);
  await m.control.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: first.gatewayId!, targetId: t1.targetId! }));
  await m.control.send(new DeleteGatewayCommand({ gatewayIdentifier: first.gatewayId! }));
});
