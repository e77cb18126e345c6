import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AccessDeniedException, BedrockAgentCoreControlClient, BedrockAgentCoreControlServiceException, CreateWorkloadIdentityCommand,
  DeleteWorkloadIdentityCommand, GetWorkloadIdentityCommand, ListWorkloadIdentitiesCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { collections } from '../src/model.ts';
import { REGION, snapshot, startControlServer, type ControlHarness } from './helpers/control-server.ts';

let h: ControlHarness;
before(async () => { h = await startControlServer(); });
after(async () => { await h.close(); });

const SIG_MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

describe('the HTTP adapter on a live server', () => {
  test('a body over 1 MiB is refused (413 ValidationException) and nothing is written', async () => {
    const before = await snapshot(h.store, Object.values(collections));
    const big = JSON.stringify({ name: 'big', allowedResourceOauth2ReturnUrls: [`https://a.example.com/${'x'.repeat(1024 * 1024)}`] });
    const r = await h.raw('POST', '/identities/CreateWorkloadIdentity', big);
    assert.equal(r.status, 413);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.deepEqual(JSON.parse(r.text), { message: 'The request body is larger than the 1048576-byte limit.', reason: 'CannotParse' });
    assert.equal(await snapshot(h.store, Object.values(collections)), before);
  });

  test('a body that is not a JSON object is ValidationException reason CannotParse', async () => {
    for (const [body, message] of [['{"name": "x"', 'The request body is not valid JSON.'], ['["x"]', 'The request body must be a JSON object.'], ['null', 'The request body must be a JSON object.']] as const) {
      const r = await h.raw('POST', '/identities/CreateWorkloadIdentity', body);
      assert.equal(r.status, 400, body);
      assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
      assert.deepEqual(JSON.parse(r.text), { message, reason: 'CannotParse' });
      assert.ok(r.headers.get('x-amzn-requestid'));
    }
  });

  test('authentication comes first: an unsigned or mis-signed request gets the SigV4 error, never a parse error', async () => {
    const unsigned = await fetch(`${h.url}/identities/CreateWorkloadIdentity`, { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.deepEqual(await unsigned.json(), { message: 'Missing Authentication Token' });

    const wrong = new BedrockAgentCoreControlClient({ endpoint: h.url, region: REGION, credentials: { accessKeyId: h.admin.accessKeyId, secretAccessKey: 'wrong' + h.admin.secretAccessKey.slice(5) }, maxAttempts: 1 });
    await assert.rejects(wrong.send(new CreateWorkloadIdentityCommand({ name: 'sneaky' })), (e: unknown) => {
      assert.ok(e instanceof BedrockAgentCoreControlServiceException);
      assert.equal(e.name, 'InvalidSignatureException');
      assert.equal(e.message, SIG_MISMATCH);
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
    const unknown = new BedrockAgentCoreControlClient({ endpoint: h.url, region: REGION, credentials: { accessKeyId: 'MKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }, maxAttempts: 1 });
    await assert.rejects(unknown.send(new ListWorkloadIdentitiesCommand({})), (e: unknown) => {
      assert.ok(e instanceof BedrockAgentCoreControlServiceException);
      assert.equal(e.name, 'UnrecognizedClientException');
      assert.equal(e.message, 'The security token included in the request is invalid.');
      return true;
    });
    wrong.destroy();
    unknown.destroy();
    assert.equal(await h.store.get(collections.workloadIdentities, 'sneaky'), undefined);
  });

  test('a workload access key cannot use the control plane (AccessDeniedException)', async () => {
    const c = new BedrockAgentCoreControlClient({ endpoint: h.url, region: REGION, credentials: h.workload, maxAttempts: 1 });
    await assert.rejects(c.send(new CreateWorkloadIdentityCommand({ name: 'escalate' })), (e: unknown) => {
      assert.ok(e instanceof AccessDeniedException);
      assert.equal(e.message, `The caller ${h.workload.accessKeyId} is not authorized to perform CreateWorkloadIdentity: control-plane operations need an admin access key.`);
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
    c.destroy();
    assert.equal(await h.store.get(collections.workloadIdentities, 'escalate'), undefined);
  });

  test('unknown paths and wrong methods answer in the AWS error shape', async () => {
    const r = await h.raw('POST', '/identities/NoSuchOperation', '{}');
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    const m = await h.raw('GET', '/identities/CreateWorkloadIdentity', '');
    assert.equal(m.status, 405);
    assert.equal(m.headers.get('x-amzn-errortype'), 'MethodNotAllowedException');
  });

  test('201 / 200 / 204 with x-amzn-requestid; 204 has an empty body', async () => {
    const c = await h.raw('POST', '/identities/CreateWorkloadIdentity', JSON.stringify({ name: 'raw-1' }));
    assert.equal(c.status, 201);
    assert.equal(c.headers.get('content-type'), 'application/json');
    assert.match(c.headers.get('x-amzn-requestid')!, /^[0-9a-f-]{36}$/);
    const d = await h.raw('POST', '/identities/DeleteWorkloadIdentity', JSON.stringify({ name: 'raw-1' }));
    assert.equal(d.status, 204);
    assert.equal(d.text, '');
    assert.match(d.headers.get('x-amzn-requestid')!, /^[0-9a-f-]{36}$/);
  });

  test('AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL redirects a client built without an endpoint', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL;
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL = h.url;
    const c = new BedrockAgentCoreControlClient({ region: REGION, credentials: h.admin, maxAttempts: 1 });
    try {
      const r = await c.send(new CreateWorkloadIdentityCommand({ name: 'via-env' }));
      assert.equal(r.$metadata.httpStatusCode, 201);
      assert.equal((await h.client.send(new GetWorkloadIdentityCommand({ name: 'via-env' }))).name, 'via-env');
      await c.send(new DeleteWorkloadIdentityCommand({ name: 'via-env' }));
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL;
      else process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL = saved;
      c.destroy();
    }
  });
});
