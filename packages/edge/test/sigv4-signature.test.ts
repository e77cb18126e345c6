import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import fc from 'fast-check';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ManualClock } from '@mandate/core';
import { MemoryStore } from '@mandate/storage';
import { createAccessKey, SigV4Authenticator } from '@mandate/edge';
import { EnvelopeSecretBox, LocalKeyProvider } from '@mandate/identity';

/**
 * Property: for any request the SDK's own signer (@smithy/signature-v4 `sign`) produces, the
 * authenticator's fast recomputation accepts it; and changing any signed part makes it reject.
 */
// The SDK's serializer escapes labels and query values like this (extendedEncodeURIComponent).
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const segment = fc.oneof(
  fc.constantFrom('arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/agent-AbC', 'tags', 'identities', 'a b', 'x+y', "it's", '~tilde', 'ünï', '..', '.', '%41'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const queryEntry = fc.tuple(fc.constantFrom('qualifier', 'tagKeys', 'maxResults', 'a b', 'k*'), fc.string({ maxLength: 10 }));
const headerValueArb = fc.constantFrom('application/json', '  spaced   value ', 'attempt=1; max=3', 'a\tb', 'x');

test('any SDK-signed request verifies; any altered part does not', async () => {
  const store = new MemoryStore();
  const secrets = new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 6).toString('base64') }) });
  const clock = new ManualClock(Date.UTC(2026, 10, 29, 12, 0, 0));
  const creds = await createAccessKey({ store, secrets, clock }, { role: 'admin' });
  const auth = new SigV4Authenticator({ store, secrets, region: 'eu-central-1', clock });
  const signer = new SignatureV4({ credentials: creds, region: 'eu-central-1', service: 'bedrock-agentcore', sha256: Hash.bind(null, 'sha256') });
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      fc.array(segment, { minLength: 0, maxLength: 4 }),
      fc.boolean(),
      fc.array(queryEntry, { maxLength: 5 }),
      fc.dictionary(fc.constantFrom('content-type', 'amz-sdk-request', 'x-amzn-bedrock-agentcore-runtime-session-id', 'x-amz-user-agent', 'x-custom'), headerValueArb),
      fc.string({ maxLength: 40 }),
      async (method, segs, trailing, q, extra, bodyText) => {
        n++;
        clock.advance(1000); // a distinct date per request keeps signatures distinct (no replay)
        const rawPath = '/' + segs.map(enc).join('/') + (trailing && segs.length > 0 ? '/' : '');
        const rawQuery = q.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
        const query: Record<string, string | string[]> = {};
        for (const [k, v] of q) {
          const prev = query[k];
          query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        }
        const body = Buffer.from(bodyText);
        const signed = await signer.sign(
          { method, protocol: 'http:', hostname: 'mandate.local', path: rawPath, query, body, headers: { host: 'mandate.local:8787', ...extra } },
          { signingDate: new Date(clock.now()) },
        );
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
        const req = (h: Record<string, string>) => ({ method, headers: h }) as unknown as IncomingMessage;
        const identity = await auth.authenticate(req(headers), rawPath, rawQuery, body);
        assert.equal(identity.accessKeyId, creds.accessKeyId);

        clock.advance(1000);
        const again = await signer.sign({ method, protocol: 'http:', hostname: 'mandate.local', path: rawPath, query, body, headers: { host: 'mandate.local:8787', ...extra } }, { signingDate: new Date(clock.now()) });
        const h2: Record<string, string> = {};
        for (const [k, v] of Object.entries(again.headers)) h2[k.toLowerCase()] = v;
        await assert.rejects(auth.authenticate(req(h2), rawPath + 'x', rawQuery, body), { code: 'invalid_signature' });
        await assert.rejects(auth.authenticate(req(h2), rawPath, rawQuery + '&extra=1', body), { code: 'invalid_signature' });
        await assert.rejects(auth.authenticate(req({ ...h2, host: 'evil.local:8787' }), rawPath, rawQuery, body), { code: 'invalid_signature' });
        await assert.rejects(auth.authenticate({ method: method === 'GET' ? 'POST' : 'GET', headers: h2 } as unknown as IncomingMessage, rawPath, rawQuery, body), { code: 'invalid_signature' });
        await assert.rejects(auth.authenticate(req(h2), rawPath, rawQuery, Buffer.concat([body, Buffer.from('!')])), { code: 'invalid_signature' });
        if (Object.keys(extra).length > 0) {
          const k = Object.keys(extra)[0]!;
          await assert.rejects(auth.authenticate(req({ ...h2, [k]: h2[k] + 'z' }), rawPath, rawQuery, body), { code: 'invalid_signature' });
        }
        // The untouched request still verifies (none of the rejections above consumed it).
        await auth.authenticate(req(h2), rawPath, rawQuery, body);
      },
    ),
    { numRuns: 300 },
  );
  assert.equal(n, 300);
});
