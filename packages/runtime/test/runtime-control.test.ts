import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateAgentRuntimeCommand, CreateAgentRuntimeEndpointCommand, DeleteAgentRuntimeCommand, DeleteAgentRuntimeEndpointCommand,
  GetAgentRuntimeCommand, GetAgentRuntimeEndpointCommand, ListAgentRuntimeEndpointsCommand, ListAgentRuntimesCommand,
  ListAgentRuntimeVersionsCommand, UpdateAgentRuntimeCommand, UpdateAgentRuntimeEndpointCommand, GetWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { createAccessKey } from '@mandate/edge';
import { agentDir, baseRuntime, codeArtifact, startMandate, REGION, ACCOUNT, type Mandate } from './harness.ts';

let m: Mandate;
before(async () => {
  m = await startMandate();
});
after(() => m.close());

async function rejects(p: Promise<unknown>, name: string, message: string | RegExp, status: number): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

const authorizer = { customJWTAuthorizer: { discoveryUrl: 'http://127.0.0.1:9/pool/.well-known/openid-configuration', allowedClients: ['c1'], allowedScopes: ['agent/invoke'] } };

test('create, get, list, update (new version), versions, endpoints and delete with the unmodified control client', async () => {
  const created = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'ctl_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    authorizerConfiguration: authorizer, environmentVariables: { AGENT_GREETING: 'hi' },
    requestHeaderConfiguration: { requestHeaderAllowlist: ['Authorization'] },
    lifecycleConfiguration: { idleRuntimeSessionTimeout: 120, maxLifetime: 600 }, description: 'first',
  }));
  assert.equal(created.$metadata.httpStatusCode, 202);
  const id = created.agentRuntimeId!;
  assert.match(id, /^ctl_agent-[A-Za-z0-9]{10}$/);
  assert.equal(created.agentRuntimeArn, `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/${id}`);
  assert.equal(created.agentRuntimeVersion, '1');
  assert.equal(created.status, 'CREATING');
  assert.ok(created.createdAt instanceof Date);
  const wlArn = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:workload-identity-directory/default/workload-identity/${id}`;
  assert.deepEqual(created.workloadIdentityDetails, { workloadIdentityArn: wlArn });

  const got = await m.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
  assert.equal(got.status, 'READY');
  assert.equal(got.agentRuntimeName, 'ctl_agent');
  assert.equal(got.description, 'first');
  assert.deepEqual(got.lifecycleConfiguration, { idleRuntimeSessionTimeout: 120, maxLifetime: 600 });
  assert.deepEqual(got.authorizerConfiguration, authorizer);
  assert.deepEqual(got.environmentVariables, { AGENT_GREETING: 'hi' });
  assert.deepEqual(got.requestHeaderConfiguration, { requestHeaderAllowlist: ['Authorization'] });
  assert.deepEqual(got.protocolConfiguration, { serverProtocol: 'HTTP' });
  assert.deepEqual(got.agentRuntimeArtifact, codeArtifact(agentDir('app-agent')));

  // The runtime's own workload identity trusts the authorizer's issuer and the built-in return page.
  const wl = await m.control.send(new GetWorkloadIdentityCommand({ name: id }));
  assert.deepEqual(wl.allowedResourceOauth2ReturnUrls, [`${m.url}/identities/oauth2/return`]);

  const updated = await m.control.send(new UpdateAgentRuntimeCommand({
    agentRuntimeId: id, agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime, description: 'second',
  }));
  assert.equal(updated.$metadata.httpStatusCode, 202);
  assert.equal(updated.agentRuntimeVersion, '2');
  assert.equal(updated.status, 'UPDATING');
  assert.ok(updated.lastUpdatedAt instanceof Date);
  const v2 = await m.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
  assert.equal(v2.agentRuntimeVersion, '2');
  assert.equal(v2.authorizerConfiguration, undefined);
  assert.deepEqual(v2.lifecycleConfiguration, { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 });
  const v1 = await m.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '1' }));
  assert.equal(v1.description, 'first');

  const versions = await m.control.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }));
  assert.deepEqual(versions.agentRuntimes!.map((v) => [v.agentRuntimeVersion, v.description]), [['1', 'first'], ['2', 'second']]);

  const list = await m.control.send(new ListAgentRuntimesCommand({}));
  assert.deepEqual(list.agentRuntimes!.map((r) => [r.agentRuntimeId, r.agentRuntimeVersion, r.status]), [[id, '2', 'READY']]);

  // DEFAULT follows the latest version; a pinned endpoint stays.
  const def = await m.control.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'DEFAULT' }));
  assert.equal(def.liveVersion, '2');
  assert.equal(def.agentRuntimeEndpointArn, `${created.agentRuntimeArn}/runtime-endpoint/DEFAULT`);
  const ep = await m.control.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'stable', agentRuntimeVersion: '1' }));
  assert.equal(ep.$metadata.httpStatusCode, 202);
  assert.equal(ep.targetVersion, '1');
  assert.equal(ep.endpointName, 'stable');
  const eps = await m.control.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: id }));
  assert.deepEqual(eps.runtimeEndpoints!.map((e) => [e.name, e.liveVersion]), [['DEFAULT', '2'], ['stable', '1']]);
  const moved = await m.control.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'stable', agentRuntimeVersion: '2' }));
  assert.equal(moved.liveVersion, '2');
  await rejects(m.control.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'stable', agentRuntimeVersion: '9' })), 'ResourceNotFoundException', `Version 9 of agent runtime ${id} does not exist.`, 404);
  await rejects(m.control.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'DEFAULT' })), 'ValidationException', 'The DEFAULT endpoint cannot be deleted; it always serves the latest version.', 400);
  const del = await m.control.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'stable' }));
  assert.equal(del.status, 'DELETING');

  const gone = await m.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id }));
  assert.equal(gone.$metadata.httpStatusCode, 202);
  assert.equal(gone.status, 'DELETING');
  await rejects(m.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id })), 'ResourceNotFoundException', `The agent runtime ${id} does not exist.`, 404);
  await rejects(m.control.send(new GetWorkloadIdentityCommand({ name: id })), 'ResourceNotFoundException', /does not exist/, 404);
  assert.deepEqual((await m.control.send(new ListAgentRuntimesCommand({}))).agentRuntimes, []);
});

test('validation: names, artifacts, protocols, authorizers, lifecycle', async () => {
  const base = { agentRuntimeName: 'v_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime };
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, agentRuntimeName: '1bad-name' })), 'ValidationException', /agentRuntimeName/, 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'my-bucket', prefix: 'x.zip' } }, runtime: 'NODE_22', entryPoint: ['main.js'] } } })),
    'ValidationException', 'agentRuntimeArtifact.codeConfiguration.code.s3.bucket: must be "mandate-local": Mandate runs code from a local directory named by prefix', 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, agentRuntimeArtifact: codeArtifact('/nonexistent/dir') })),
    'ValidationException', 'agentRuntimeArtifact.codeConfiguration.code.s3.prefix: directory /nonexistent/dir does not exist', 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, agentRuntimeArtifact: codeArtifact(agentDir('app-agent'), 'missing.ts') })),
    'ValidationException', `agentRuntimeArtifact.codeConfiguration.entryPoint: file missing.ts does not exist in ${agentDir('app-agent')}`, 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, agentRuntimeArtifact: codeArtifact(agentDir('app-agent'), '../hang/main.ts') })),
    'ValidationException', 'agentRuntimeArtifact.codeConfiguration.entryPoint: must name a file inside the code directory', 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, agentRuntimeArtifact: { containerConfiguration: { containerUri: '123456789012.dkr.ecr.us-west-2.amazonaws.com/agent:latest' } } })),
    'ValidationException', 'agentRuntimeArtifact.containerConfiguration.containerUri: must be file:///absolute/dir: Mandate runs local directories, not container images', 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, protocolConfiguration: { serverProtocol: 'AGUI' } })),
    'ValidationException', 'serverProtocol AGUI is not supported by Mandate yet; it hosts HTTP, A2A, MCP agents.', 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://idp.example/jwks.json', allowedClients: ['a'] } } })),
    'ValidationException', /discoveryUrl.*openid-configuration/, 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://idp.example/.well-known/openid-configuration' } } })),
    'ValidationException', /at least one of allowedAudience, allowedClients, allowedScopes or customClaims is required/, 400);
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base, lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 300 } })),
    'ValidationException', /idleRuntimeSessionTimeout must not exceed maxLifetime/, 400);
  assert.deepEqual((await m.control.send(new ListAgentRuntimesCommand({}))).agentRuntimes, [], 'nothing half-created');

  // containerConfiguration: file:// directory with mandate.json
  const dir = mkdtempSync(join(tmpdir(), 'mandate-agent-'));
  writeFileSync(join(dir, 'mandate.json'), JSON.stringify({ command: ['node', 'main.ts'] }));
  const c = await m.control.send(new CreateAgentRuntimeCommand({ ...base, agentRuntimeArtifact: { containerConfiguration: { containerUri: pathToFileURL(dir).href } } }));
  await rejects(m.control.send(new CreateAgentRuntimeCommand({ ...base })), 'ConflictException', 'An agent runtime named v_agent already exists.', 409);
  await m.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: c.agentRuntimeId! }));
});

test('the control plane needs an admin key: a workload key is refused', async () => {
  const wk = await createAccessKey(m.identity.services, { role: 'workload', workloadName: 'someone' });
  const client = new BedrockAgentCoreControlClient({ endpoint: m.url, region: REGION, credentials: wk, maxAttempts: 1 });
  try {
    await rejects(client.send(new ListAgentRuntimesCommand({})), 'AccessDeniedException', /control-plane operations need an admin access key/, 403);
  } finally {
    client.destroy();
  }
});

test('GET /ping answers for the runtime in the container contract shape', async () => {
  const res = await fetch(`${m.url}/ping`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.status, 'Healthy');
  assert.equal(body.liveSessions, 0);
  assert.equal(body.maxLiveSessions, 32);
  assert.equal(typeof body.time_of_last_update, 'number');
});

test('a retried CreateAgentRuntime with the same clientToken gets the first answer; the token reused for another request is refused', async () => {
  const clientToken = 'retry-00000000-0000-4000-8000-00000000aaaa';
  const input = { agentRuntimeName: 'idem_rt', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime, clientToken };
  const first = await m.control.send(new CreateAgentRuntimeCommand(input));
  const again = await m.control.send(new CreateAgentRuntimeCommand(input));
  assert.equal(again.agentRuntimeId, first.agentRuntimeId);
  await assert.rejects(m.control.send(new CreateAgentRuntimeCommand({ ...input, agentRuntimeName: 'idem_rt2' })), {
    name: 'ValidationException', message: 'This clientToken was already used with a different request. Use a new clientToken for a new request.',
  });
  await m.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: first.agentRuntimeId! }));
});
