import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@mandate/core';
import { completeAuthorization } from '@mandate/emulators';
import { runCli } from '../src/main.ts';
import { startDevStack } from '../src/stack/dev-stack.ts';
import { freePortRange, tempDir } from './helpers.ts';

/** Runs `mandate token get` in-process and plays the user's browser when it prints the consent URL. */
test('mandate token get: consent URL, browser consent, loopback return, decoded and locally verified Entra token', async () => {
  const tmp = tempDir('mandate-token-');
  const basePort = await freePortRange();
  const stack = await startDevStack({ env: {}, cwd: tmp.dir, basePort, dataDir: tmp.dir, withWeatherAgent: false, progress: () => {}, logger: silentLogger });
  try {
    const d = stack.devJson;
    const alice = d.entra.users[0]!;
    const out: string[] = [];
    const err: string[] = [];
    let browser: Promise<void> | undefined;
    const io = {
      out: (l: string) => {
        out.push(l);
        const m = /^ {2}(http:\/\/\S+\/identities\/oauth2\/authorize\?request_uri=\S+)$/.exec(l);
        if (m) {
          browser = (async () => {
            // The user signs in to Entra and consents; Entra redirects to Mandate's callback...
            const r0 = await fetch(m[1]!, { redirect: 'manual' });
            assert.equal(r0.status, 302);
            const callback = await completeAuthorization(r0.headers.get('location')!, { username: alice.username, password: alice.password }, { consent: true });
            const r1 = await fetch(callback, { redirect: 'manual' });
            assert.equal(r1.status, 302);
            // ...which sends the browser back to the terminal's loopback page with session_id and state.
            const back = new URL(r1.headers.get('location')!);
            assert.equal(`${back.origin}${back.pathname}`, `http://127.0.0.1:${basePort + 3}/mandate-cli/return`);
            const r2 = await fetch(back);
            assert.equal(r2.status, 200, await r2.clone().text());
          })();
        }
      },
      err: (l: string) => err.push(l),
      env: {},
      cwd: tmp.dir,
    };
    const code = await runCli(['token', 'get', '--scope', d.entra.apps[0]!.scopes[0]!, '--data-dir', tmp.dir, '--timeout', '60'], io);
    await browser;
    assert.equal(code, 0, err.join('\n'));
    assert.ok(out.includes('Token is ready.'));
    const json = out.slice(out.findIndex((l) => l.includes('Decoded access token:')) + 1, out.findIndex((l) => l.startsWith('\nVerified locally'))).join('\n');
    const decoded = JSON.parse(json) as { header: { alg: string }; payload: Record<string, unknown> };
    assert.equal(decoded.header.alg, 'RS256');
    assert.equal(decoded.payload.aud, d.entra.apps[0]!.clientId);
    assert.equal(decoded.payload.scp, 'read');
    assert.equal(decoded.payload.tid, d.entra.tenantId);
    assert.equal(decoded.payload.oid, alice.oid);
    assert.match(out.at(-1)!, /^\nVerified locally: signature \(tenant JWKS\), issuer https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+\/v2\.0, audience [0-9a-f-]+, tid\.$/);

    // A second run is served from the vault at once: no consent URL.
    const out2: string[] = [];
    const code2 = await runCli(['token', 'get', '--raw', '--data-dir', tmp.dir], { out: (l) => out2.push(l), err: (l) => err.push(l), env: {}, cwd: tmp.dir });
    assert.equal(code2, 0, err.join('\n'));
    assert.ok(!out2.some((l) => l.includes('/identities/oauth2/authorize')));
    assert.match(out2.at(-1)!, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  } finally {
    await stack.close();
    tmp.remove();
  }
});

test('mandate token get without a running stack says how to start it', async () => {
  const tmp = tempDir('mandate-token-none-');
  try {
    const err: string[] = [];
    const code = await runCli(['token', 'get', '--data-dir', tmp.dir], { out: () => {}, err: (l) => err.push(l), env: {}, cwd: tmp.dir });
    assert.equal(code, 1);
    assert.match(err[0]!, /^mandate: No local stack found \(.*dev\.json does not exist\)\.$/);
    assert.match(err[1]!, /npm start/);
  } finally {
    tmp.remove();
  }
});
