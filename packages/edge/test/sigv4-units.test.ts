import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { amzDate, parseAmzDate, parseSigV4Authorization, ReplayCache } from '@mandate/edge';

const SIG = 'a'.repeat(64);
const good = `AWS4-HMAC-SHA256 Credential=MKIAABCDEFGHIJKLMNOP/20261129/us-west-2/bedrock-agentcore/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${SIG}`;

function incomplete(header: string, message: string | RegExp): void {
  assert.throws(() => parseSigV4Authorization(header), (err: Error & { awsType?: string; status?: number; code?: string }) => {
    assert.equal(err.awsType, 'IncompleteSignatureException');
    assert.equal(err.status, 400);
    assert.equal(err.code, 'incomplete_signature');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('Authorization header parsing', () => {
  test('the SDK form, with or without spaces after commas', () => {
    const want = { accessKeyId: 'MKIAABCDEFGHIJKLMNOP', scopeDate: '20261129', region: 'us-west-2', service: 'bedrock-agentcore', signedHeaders: ['content-type', 'host', 'x-amz-date'], signature: SIG };
    assert.deepEqual(parseSigV4Authorization(good), want);
    assert.deepEqual(parseSigV4Authorization(good.replaceAll(', ', ',')), want);
  });

  test('malformed headers are IncompleteSignatureException with a precise message', () => {
    incomplete('Bearer abc', 'Authorization header requires the AWS4-HMAC-SHA256 algorithm.');
    incomplete('AWS4-HMAC-SHA256 Credential=x', "Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter.");
    incomplete(`${good}, Signature=${SIG}`, "Authorization header parameter 'Signature' appears twice.");
    incomplete(`${good}, Extra=1`, 'Authorization header has unexpected parameters.');
    incomplete(good.replace('/aws4_request', '/aws5_request'), /^Credential must have the form/);
    incomplete(good.replace('/20261129/', '/2026-11-29/'), /^Credential must have the form/);
    incomplete(good.replace('MKIAABCDEFGHIJKLMNOP/', '/'), /^Credential must have the form/);
    incomplete(good.replace('content-type;host', 'host;content-type'), 'SignedHeaders must be lower-case header names, sorted and separated by semicolons.');
    incomplete(good.replace('content-type;host', 'Content-Type;host'), 'SignedHeaders must be lower-case header names, sorted and separated by semicolons.');
    incomplete(good.replace('host;x-amz-date', 'host;host;x-amz-date'), 'SignedHeaders must be lower-case header names, sorted and separated by semicolons.');
    incomplete(good.replace(SIG, SIG.toUpperCase()), 'Signature must be 64 lower-case hexadecimal characters.');
    incomplete(good.replace(SIG, SIG.slice(1)), 'Signature must be 64 lower-case hexadecimal characters.');
    incomplete('AWS4-HMAC-SHA256 =x', "Authorization header parameter is malformed: '=x'.");
  });
});

describe('x-amz-date', () => {
  test('valid timestamps parse to their instant and format back', () => {
    for (const t of ['20261129T213500Z', '20280229T000000Z', '19991231T235959Z', '20260101T000000Z']) {
      const ms = parseAmzDate(t);
      assert.equal(typeof ms, 'number', t);
      assert.equal(amzDate(ms!), t);
    }
  });

  test('times that do not exist or are not in the basic format are refused, not rolled over', () => {
    for (const t of ['20260230T000000Z', '20270229T120000Z', '20261131T000000Z', '20261301T000000Z', '20260001T000000Z', '20261100T000000Z',
      '20261129T240000Z', '20261129T126000Z', '20261129T120060Z', '2026-11-29T12:00:00Z', '20261129T120000', '20261129T120000.000Z', '']) {
      assert.equal(parseAmzDate(t), undefined, t);
    }
  });
});

describe('ReplayCache', () => {
  test('rejects a live repeat, accepts it again once expired', () => {
    const c = new ReplayCache(10);
    assert.equal(c.add('s1', 1000, 0), true);
    assert.equal(c.add('s1', 1000, 999), false);
    assert.equal(c.add('s1', 3000, 1000), true);
    assert.equal(c.add('s1', 3000, 2000), false);
  });

  test('stays bounded: expired entries go first, then the oldest', () => {
    const c = new ReplayCache(100);
    for (let i = 0; i < 1000; i++) c.add(`s${i}`, i + 50, i);
    assert.ok(c.size <= 51, String(c.size)); // only entries still live at t=999 (plus the new one)
    const full = new ReplayCache(100);
    for (let i = 0; i < 1000; i++) full.add(`s${i}`, 1e9, i);
    assert.equal(full.size, 100);
    assert.equal(full.add('s999', 1e9, 1000), false); // the newest are kept
  });
});
