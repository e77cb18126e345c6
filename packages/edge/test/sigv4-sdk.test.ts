import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BedrockAgentCoreClient, GetWorkloadAccessTokenCommand, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient, ListTagsForResourceCommand, UntagResourceCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { sendAwsError } from '@mandate/http';
import { MemoryStore } from '@mandate/storage';
import { createAccessKey, revokeAccessKey, SigV4Authenticator, type AccessKeyCredentials } from '@mandate/edge';
import { EnvelopeSecretBox, LocalKeyProvider } from '@mandate/identity';
import type { CallerIdentity } from '@mandate/edge';

/**
 * The unmodified AWS SDK clients (both planes) sign requests; a plain node:http server verifies them
 * with SigV4Authenticator. Every rejection is checked for its exact AWS error type and message.
 */
const REGION = 'us-west-2';
const RUNTIME_ARN = 'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my_agent-AbCdEf1234';
const VAULT_ARN = 'arn:aws:bedrock-agentcore:us-west-2:123456789012:token-vault/default';

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let endpoint: string;
let store: MemoryStore;
let auth: SigV4Authenticator;
let admin: AccessKeyCredentials;
let workload: AccessKeyCredentials;
const seen: { identity: CallerIdentity; captured: Captured }[] = [];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

before(async () => {
  store = new MemoryStore();
  const secrets = new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }) });
  const clock = { now: () => Date.now() };
  admin = await createAccessKey({ store, secrets, clock }, { role: 'admin' });
  workload = await createAccessKey({ store, secrets, clock }, { role: 'workload', workloadName: 'my-agent', allowUserIdTokens: false });
  auth = await SigV4Authenticator.create({ store, secrets, region: REGION });
  server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const identity = await auth.authenticate(req, q < 0 ? url : url.slice(0, q), q < 0 ? '' : url.slice(q + 1), body);
      seen.push({ identity, captured: { method: req.method!, url, headers: req.headers, body } });
      const out = url.startsWith('/identities/GetWorkloadAccessToken') ? { workloadAccessToken: 'wat-for-test' } : url.startsWith('/tags/') && req.method === 'GET' ? { tags: { a: '1' } } : {};
      const text = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (err) {
      sendAwsError(res, err, 'req-1');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await auth.close();
  await new Promise<void>((r) => server.close(() => r()));
  await store.close();
});

const dataClient = (creds: AccessKeyCredentials, region = REGION) =>
  new BedrockAgentCoreClient({ endpoint, region, credentials: creds, maxAttempts: 1 });
const controlClient = (creds: AccessKeyCredentials, region = REGION) =>
  new BedrockAgentCoreControlClient({ endpoint, region, credentials: creds, maxAttempts: 1 });

async function rejects(p: Promise<unknown>, name: string, message: string | RegExp, status = 403): Promise<void> {
  await assert.rejects(p, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, name);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.equal(err.$metadata?.httpStatusCode, status);
    return true;
  });
}

/** Sends raw bytes exactly as captured (or altered), bypassing the SDK. */
function send(c: Captured): Promise<{ status: number; type: string | undefined; message: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(endpoint + c.url, { method: c.method, headers: c.headers }, (res) => {
      readBody(res).then((b) => resolve({ status: res.statusCode!, type: res.headers['x-amzn-errortype'] as string | undefined, message: b.length ? (JSON.parse(b.toString()) as { message?: string }).message ?? '' : '' }), reject);
    });
    r.on('error', reject);
    r.end(c.body);
  });
}

const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

describe('SigV4 with the real AWS SDK clients', () => {
  test('data plane: GetWorkloadAccessToken verifies and yields the caller identity', async () => {
    const out = await dataClient(workload).send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' }));
    assert.equal(out.workloadAccessToken, 'wat-for-test');
    const last = seen.at(-1)!;
    assert.deepEqual(last.identity, { accessKeyId: workload.accessKeyId, role: 'workload', workloadName: 'my-agent', allowUserIdTokens: false });
    const signed = /SignedHeaders=([^,]+)/.exec(String(last.captured.headers.authorization))![1]!.split(';');
    for (const h of ['host', 'x-amz-date', 'x-amz-content-sha256', 'content-type', 'content-length']) assert.ok(signed.includes(h), h);
  });

  test('data plane: InvokeAgentRuntime with a runtime ARN path label (%3A, %2F) and a qualifier query', async () => {
    const out = await dataClient(admin).send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, qualifier: 'DEFAULT', payload: Buffer.from('{"prompt":"hi"}'), runtimeSessionId: 'a'.repeat(40) }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const last = seen.at(-1)!;
    assert.equal(last.captured.url, `/runtimes/${encodeURIComponent(RUNTIME_ARN)}/invocations?qualifier=DEFAULT`);
    assert.match(last.captured.url, /%3A/);
    assert.match(last.captured.url, /%2F/);
    assert.equal(last.identity.role, 'admin');
    const signed = /SignedHeaders=([^,]+)/.exec(String(last.captured.headers.authorization))![1]!.split(';');
    assert.ok(signed.includes('x-amzn-bedrock-agentcore-runtime-session-id'), signed.join(';'));
  });

  test('control plane: UntagResource with an ARN label and repeated tagKeys; ListTagsForResource', async () => {
    await controlClient(admin).send(new UntagResourceCommand({ resourceArn: VAULT_ARN, tagKeys: ['b key', 'a/key', 'a'] }));
    const url = seen.at(-1)!.captured.url;
    assert.equal(url.split('tagKeys=').length - 1, 3);
    assert.match(url, /^\/tags\/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A123456789012%3Atoken-vault%2Fdefault\?/);
    const tags = await controlClient(admin).send(new ListTagsForResourceCommand({ resourceArn: VAULT_ARN }));
    assert.deepEqual(tags.tags, { a: '1' });
  });

  test('wrong secret → InvalidSignatureException', async () => {
    await rejects(dataClient({ accessKeyId: workload.accessKeyId, secretAccessKey: admin.secretAccessKey }).send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' })), 'InvalidSignatureException', MISMATCH);
  });

  test('wrong region → InvalidSignatureException', async () => {
    await rejects(dataClient(workload, 'eu-west-1').send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' })), 'InvalidSignatureException', 'Credential should be scoped to a valid region. ');
  });

  test('wrong service → InvalidSignatureException', async () => {
    const signer = new SignatureV4({ credentials: workload, region: REGION, service: 'bedrock-agentcore-control', sha256: Hash.bind(null, 'sha256') });
    const url = new URL(endpoint);
    const body = '{"workloadName":"my-agent"}';
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: +url.port, path: '/identities/GetWorkloadAccessToken', query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body });
    const r = await send({ method: 'POST', url: '/identities/GetWorkloadAccessToken', headers: signed.headers, body: Buffer.from(body) });
    assert.deepEqual(r, { status: 403, type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'bedrock-agentcore'. " });
  });

  test('clock skew beyond 15 minutes → InvalidSignatureException (expired and not yet current)', async () => {
    await rejects(
      new BedrockAgentCoreClient({ endpoint, region: REGION, credentials: workload, maxAttempts: 1, systemClockOffset: -16 * 60_000 }).send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' })),
      'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    await rejects(
      new BedrockAgentCoreClient({ endpoint, region: REGION, credentials: workload, maxAttempts: 1, systemClockOffset: 16 * 60_000 }).send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' })),
      'InvalidSignatureException', /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
    );
    // 14 minutes of skew is within AWS's tolerance.
    const ok = await new BedrockAgentCoreClient({ endpoint, region: REGION, credentials: workload, maxAttempts: 1, systemClockOffset: -14 * 60_000 }).send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' }));
    assert.equal(ok.workloadAccessToken, 'wat-for-test');
  });

  test('a replayed request → InvalidSignatureException; a tampered body → InvalidSignatureException', async () => {
    await dataClient(workload).send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' }));
    const captured = seen.at(-1)!.captured;
    assert.deepEqual(await send(captured), { status: 403, type: 'InvalidSignatureException', message: 'The request signature has already been used. Sign every request afresh.' });
    const tampered = { ...captured, body: Buffer.from('{"workloadName":"my-agenX"}') };
    assert.deepEqual(await send(tampered), { status: 403, type: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 header does not match what was computed.' });
    // Tampered body with a matching (but unsigned-by-the-key) hash header: the signature no longer matches.
    const { createHash } = await import('node:crypto');
    const rehashed = { ...tampered, headers: { ...captured.headers, 'x-amz-content-sha256': createHash('sha256').update(tampered.body).digest('hex') } };
    assert.deepEqual(await send(rehashed), { status: 403, type: 'InvalidSignatureException', message: MISMATCH });
    // An altered path or query is caught too.
    const moved = { ...captured, url: '/identities/GetWorkloadAccessTokenForUserId' };
    assert.deepEqual(await send(moved), { status: 403, type: 'InvalidSignatureException', message: MISMATCH });
  });

  test('unsigned request → MissingAuthenticationTokenException', async () => {
    const r = await send({ method: 'POST', url: '/identities/GetWorkloadAccessToken', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') });
    assert.deepEqual(r, { status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  test('malformed Authorization header → IncompleteSignatureException (400)', async () => {
    const r = await send({ method: 'POST', url: '/x', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=abc', 'x-amz-date': '20261129T120000Z' }, body: Buffer.alloc(0) });
    assert.deepEqual(r, { status: 400, type: 'IncompleteSignatureException', message: "Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter." });
  });

  test('a session token (Mandate issues none) → UnrecognizedClientException', async () => {
    await rejects(
      dataClient({ ...workload, sessionToken: 'stale-sts-token' } as AccessKeyCredentials).send(new GetWorkloadAccessTokenCommand({ workloadName: 'my-agent' })),
      'UnrecognizedClientException', 'The security token included in the request is invalid.',
    );
  });

  test('unknown key and revoked key → UnrecognizedClientException', async () => {
    const msg = 'The security token included in the request is invalid.';
    await rejects(dataClient({ accessKeyId: 'MKIAAAAAAAAAAAAAAAAA', secretAccessKey: admin.secretAccessKey }).send(new GetWorkloadAccessTokenCommand({ workloadName: 'x' })), 'UnrecognizedClientException', msg);
    const clock = { now: () => Date.now() };
    const doomed = await createAccessKey({ store, secrets: new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }) }), clock }, { role: 'workload', workloadName: 'w2' });
    await dataClient(doomed).send(new GetWorkloadAccessTokenCommand({ workloadName: 'w2' })); // cached now
    await revokeAccessKey({ store, clock }, doomed.accessKeyId);
    await rejects(dataClient(doomed).send(new GetWorkloadAccessTokenCommand({ workloadName: 'w2' })), 'UnrecognizedClientException', msg);
  });
});

describe('replay policy for clients that do not sign a per-call nonce (botocore)', () => {
  // botocore signs, then adds amz-sdk-invocation-id / amz-sdk-request unsigned ("request-created" handler order),
  // and sends no x-amz-content-sha256 for JSON services: two identical calls in one second share a signature.
  async function botoStyle(creds: AccessKeyCredentials, invocationId: string): Promise<Captured> {
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: 'bedrock-agentcore', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
    const url = new URL(endpoint);
    const body = '{"workloadName": "my-agent"}';
    const signed = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname: url.hostname, path: '/identities/GetWorkloadAccessToken', query: {}, headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-user-agent': 'Boto3/1.40.0' }, body },
      { signingDate: new Date(Math.floor(Date.now() / 60_000) * 60_000) },
    );
    return { method: 'POST', url: '/identities/GetWorkloadAccessToken', headers: { ...signed.headers, 'amz-sdk-invocation-id': invocationId, 'amz-sdk-request': 'attempt=1' }, body: Buffer.from(body) };
  }

  test('default (signed-nonce): identical unsigned-nonce calls both succeed', async () => {
    const a = await botoStyle(workload, 'id-1');
    const b = await botoStyle(workload, 'id-2');
    assert.equal(/Signature=(\w+)/.exec(String(a.headers.authorization))![1], /Signature=(\w+)/.exec(String(b.headers.authorization))![1]);
    assert.equal((await send(a)).status, 200);
    assert.equal((await send(b)).status, 200);
  });

  test('strict: the second identical signature is rejected', async () => {
    const strictStore = store;
    const strict = new SigV4Authenticator({ store: strictStore, secrets: new EnvelopeSecretBox({ store: strictStore, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }) }), region: REGION, replayProtection: 'strict' });
    const c = await botoStyle(workload, 'id-3');
    const req = { method: c.method, headers: Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v])) } as unknown as IncomingMessage;
    assert.equal((await strict.authenticate(req, '/identities/GetWorkloadAccessToken', '', c.body)).accessKeyId, workload.accessKeyId);
    await assert.rejects(strict.authenticate(req, '/identities/GetWorkloadAccessToken', '', c.body), { name: 'MandateError', awsType: 'InvalidSignatureException', message: 'The request signature has already been used. Sign every request afresh.' });
  });
});
