import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '@mandate/storage';
import { EnvelopeSecretBox, LocalKeyProvider } from '../src/vault/index.ts';

/** The vault read hot path (a cached data key: one AES-GCM decrypt). Prints µs per open and per seal. */
test('vault open/seal cost with a warm data-key cache', async () => {
  const store = new MemoryStore();
  const box = new EnvelopeSecretBox({ store, keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: Buffer.alloc(32, 2).toString('base64') }) });
  const ctx = { kind: 'oauth2-token', workload: 'agent-1', user: 'https://login.microsoftonline.com/tid/v2.0|sub-123', provider: 'entra' };
  const token = 'eyJ' + 'x'.repeat(1500); // a typical Entra access token size
  const N = 5000;
  const sealed = await box.seal(token, ctx);
  for (let i = 0; i < 200; i++) await box.open(sealed, ctx);
  let c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await box.open(sealed, ctx);
  let cpu = process.cpuUsage(c0);
  const openUs = (cpu.user + cpu.system) / N;
  c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await box.seal(token, ctx);
  cpu = process.cpuUsage(c0);
  const sealUs = (cpu.user + cpu.system) / N;
  console.log(`vault: open ${openUs.toFixed(1)} µs CPU, seal ${sealUs.toFixed(1)} µs CPU (1.5 kB secret, ${N} each)`);
  assert.ok(openUs < 500 && sealUs < 500);
  assert.equal(box.unwrapCount, 0); // the sealing process never needed to unwrap its own data key
});
