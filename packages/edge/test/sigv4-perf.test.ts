import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { MemoryStore } from '@mandate/storage';
import { createAccessKey, SigV4Authenticator } from '@mandate/edge';
import { EnvelopeSecretBox, LocalKeyProvider } from '@mandate/identity';

/**
 * The verification hot path: requests signed the way the SDK signs them (same header set), verified
 * by a warm authenticator. Prints µs per verification; the bound is loose so CI noise cannot flake it.
 */
test('SigV4 verification cost on a warm key cache', async () => {
  const store = new MemoryStore();
  const secrets = new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 8).toString('base64') }) });
  const creds = await createAccessKey({ store, secrets, clock: { now: () => Date.now() } }, { role: 'workload', workloadName: 'agent' });
  const auth = new SigV4Authenticator({ store, secrets, region: 'us-west-2' });
  const signer = new SignatureV4({ credentials: creds, region: 'us-west-2', service: 'bedrock-agentcore', sha256: Hash.bind(null, 'sha256') });
  const body = Buffer.from(JSON.stringify({ workloadName: 'agent', userId: 'alice@example.com' }));
  const path = '/identities/GetWorkloadAccessTokenForUserId';
  const N = 3000;
  const reqs: IncomingMessage[] = [];
  for (let i = 0; i < N; i++) {
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: '127.0.0.1', path, query: {}, body,
      headers: {
        host: '127.0.0.1:8787', 'content-type': 'application/json', 'content-length': String(body.length),
        'amz-sdk-invocation-id': randomUUID(), 'amz-sdk-request': 'attempt=1; max=3', 'x-amz-user-agent': 'aws-sdk-js/3.1142.0',
      },
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
    reqs.push({ method: 'POST', headers } as unknown as IncomingMessage);
  }
  await auth.authenticate(reqs[0]!, path, '', body); // warm: key loaded and opened once
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 1; i < N; i++) await auth.authenticate(reqs[i]!, path, '', body);
  const cpu = process.cpuUsage(c0);
  const usPer = Number(process.hrtime.bigint() - t0) / 1000 / (N - 1);
  // CPU time is the honest figure on a shared machine; wall time also counts other processes' turns.
  const cpuPer = (cpu.user + cpu.system) / (N - 1);
  console.log(`SigV4 verification: ${cpuPer.toFixed(1)} µs CPU, ${usPer.toFixed(1)} µs wall per request (${N - 1} requests)`);
  assert.ok(usPer < 1000, `${usPer} µs`);
  // Every one of them was a distinct, accepted signature; sending any again is a replay.
  await assert.rejects(auth.authenticate(reqs[5]!, path, '', body), { name: 'MandateError', code: 'invalid_signature' });
});
