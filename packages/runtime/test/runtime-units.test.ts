import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MandateError } from '@mandate/core';
import { allowedHeaders, negotiatedHeaders } from '../src/data/forward-headers.ts';
import { rewriteAgentCard } from '../src/data/agent-card.ts';
import { makeLineRedactor } from '../src/sessions/line-redactor.ts';
import { resolveArtifact } from '../src/artifact.ts';
import { runtimeIdFrom } from '../src/arns.ts';

test('allowedHeaders: tracing always, allow-listed headers only, never hop-by-hop or foreign x-amz(n) headers', () => {
  const incoming = {
    authorization: 'Bearer t', traceparent: '00-abc-def-01', baggage: 'k=v', 'x-custom': 'c', cookie: 'sid=1', host: 'h',
    'x-amz-security-token': 'secret', 'x-amzn-bedrock-agentcore-runtime-user-id': 'u', 'x-amzn-bedrock-agentcore-runtime-custom-team': 'blue',
    'transfer-encoding': 'chunked', 'x-multi': ['a', 'b'],
  };
  assert.deepEqual(allowedHeaders(incoming, undefined), { traceparent: '00-abc-def-01', baggage: 'k=v' });
  assert.deepEqual(allowedHeaders(incoming, ['Authorization', 'X-Custom', 'Cookie', 'Host', 'X-Amz-Security-Token', 'X-Amzn-Bedrock-AgentCore-Runtime-User-Id', 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-Team', 'Transfer-Encoding', 'X-Multi']), {
    traceparent: '00-abc-def-01', baggage: 'k=v', authorization: 'Bearer t', 'x-custom': 'c', 'x-amzn-bedrock-agentcore-runtime-custom-team': 'blue', 'x-multi': 'a, b',
  });
});

test('negotiatedHeaders: octet-stream JSON becomes application/json; missing Accept is filled', () => {
  const json = Buffer.from('{"prompt":"hi"}');
  assert.deepEqual(negotiatedHeaders({ 'content-type': 'application/octet-stream' }, json), { 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
  assert.deepEqual(negotiatedHeaders({ 'content-type': 'application/octet-stream', accept: 'text/plain' }, Buffer.from([0xff, 0x00])), { 'content-type': 'application/octet-stream', accept: 'text/plain' });
  assert.deepEqual(negotiatedHeaders({ 'content-type': 'text/plain', accept: 'application/json' }, json), { 'content-type': 'text/plain', accept: 'application/json' });
  assert.deepEqual(negotiatedHeaders({}, Buffer.alloc(0)), { 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
});

test('agent log lines: WATs, JWTs and the process secret are masked', () => {
  const r = makeLineRedactor(['S3cr3tAccessKeyValue', 'short']);
  assert.equal(r('wat=mwat1.abc.def.ghi-_x end'), 'wat=[redacted] end');
  assert.equal(r('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl!'), 'token [redacted]!');
  assert.equal(r('key S3cr3tAccessKeyValue twice S3cr3tAccessKeyValue'), 'key [redacted] twice [redacted]');
  assert.equal(r('short stays'), 'short stays');
});

test('resolveArtifact: code directories, entry points, file:// directories with mandate.json or package.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-art-'));
  writeFileSync(join(dir, 'main.ts'), '');
  writeFileSync(join(dir, 'app.py'), '');
  const code = (entryPoint: string[], runtime = 'NODE_22') => resolveArtifact({ codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: dir } }, runtime, entryPoint } });
  assert.deepEqual(code(['main.ts']), { cwd: dir, command: process.execPath, args: ['main.ts'] });
  assert.deepEqual(code(['node', 'main.ts']), { cwd: dir, command: process.execPath, args: ['main.ts'] });
  assert.deepEqual(code(['app.py'], 'PYTHON_3_12'), { cwd: dir, command: 'python3', args: ['app.py'] });
  assert.deepEqual(code(['opentelemetry-instrument', 'python', 'app.py'], 'PYTHON_3_12'), { cwd: dir, command: 'opentelemetry-instrument', args: ['python', 'app.py'] });
  assert.throws(() => code(['../etc/passwd.ts']), (e: MandateError) => e.code === 'validation' && /inside the code directory/.test(e.message));
  assert.throws(() => resolveArtifact({ codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: 'relative/dir' } }, runtime: 'NODE_22', entryPoint: ['main.ts'] } }), /must be an absolute directory path/);
  const c = (uri: string) => resolveArtifact({ containerConfiguration: { containerUri: uri } });
  assert.throws(() => c(pathToFileURL(dir).href), /neither mandate.json nor package.json/);
  writeFileSync(join(dir, 'package.json'), '{}');
  assert.deepEqual(c(pathToFileURL(dir).href), { cwd: dir, command: 'npm', args: ['start'] });
  writeFileSync(join(dir, 'mandate.json'), JSON.stringify({ command: ['node', '--enable-source-maps', 'main.ts'] }));
  assert.deepEqual(c(pathToFileURL(dir).href), { cwd: dir, command: process.execPath, args: ['--enable-source-maps', 'main.ts'] });
  writeFileSync(join(dir, 'mandate.json'), JSON.stringify({ command: 'node main.ts' }));
  assert.throws(() => c(pathToFileURL(dir).href), /mandate.json must be \{"command": \["program", "arg", \.\.\.\]\}/);
  writeFileSync(join(dir, 'mandate.json'), '{');
  assert.throws(() => c(pathToFileURL(dir).href), /not valid JSON/);
});

test('runtimeIdFrom: full ARN of this region/account, or a bare id with a matching accountId', () => {
  const s = { region: 'us-west-2', accountId: '123456789012' };
  assert.equal(runtimeIdFrom(s, 'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my_agent-AbCdEf1234', null), 'my_agent-AbCdEf1234');
  assert.equal(runtimeIdFrom(s, 'my_agent-AbCdEf1234', '123456789012'), 'my_agent-AbCdEf1234');
  assert.equal(runtimeIdFrom(s, 'my_agent-AbCdEf1234', null), 'my_agent-AbCdEf1234');
  assert.throws(() => runtimeIdFrom(s, 'arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/my_agent-AbCdEf1234', null), (e: MandateError) => e.code === 'not_found');
  assert.throws(() => runtimeIdFrom(s, 'my_agent-AbCdEf1234', '999999999999'), (e: MandateError) => e.code === 'not_found');
  assert.throws(() => runtimeIdFrom(s, '../../x', null), (e: MandateError) => e.code === 'validation');
});

test('an agent card: only URLs pointing at the agent\'s own loopback port become Mandate\'s invocation URL', () => {
  const mandate = 'https://mandate.example/runtimes/arn%3Ax/invocations/';
  const card = {
    name: 'x',
    url: 'http://0.0.0.0:9000/',
    additionalInterfaces: [{ url: 'http://localhost:9000/', transport: 'JSONRPC' }, { url: 'https://public.example/a2a', transport: 'JSONRPC' }],
    supportedInterfaces: [{ url: 'http://127.0.0.1:9000/', protocolVersion: '1.0' }, { url: 'http://127.0.0.1:9001/', protocolVersion: '1.0' }, 'junk'],
  };
  assert.deepEqual(rewriteAgentCard(card, 9000, mandate), {
    name: 'x',
    url: mandate,
    additionalInterfaces: [{ url: mandate, transport: 'JSONRPC' }, { url: 'https://public.example/a2a', transport: 'JSONRPC' }],
    supportedInterfaces: [{ url: mandate, protocolVersion: '1.0' }, { url: 'http://127.0.0.1:9001/', protocolVersion: '1.0' }, 'junk'],
  });
  assert.equal(card.url, 'http://0.0.0.0:9000/', 'the input is not modified');
});

test('portOwnedBy: a listening port belongs to the process group that holds its socket, and to no other', { skip: process.platform !== 'linux' }, async () => {
  const { portOwnedBy } = await import('../src/sessions/port-owner.ts');
  const { createServer } = await import('node:net');
  const { readFileSync } = await import('node:fs');
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    assert.equal(await portOwnedBy(pgid, port), true);
    assert.equal(await portOwnedBy(pgid + 987654, port), false, 'another group does not own it');
  } finally {
    server.close();
  }
  assert.equal(await portOwnedBy(pgid, port), false, 'a closed port has no owner');
});
