import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../src/main.ts';
import { freePortRange, tempDir } from './helpers.ts';

// `npm run demo` as part of the suite: the whole notebook headless, real Chromium consent for two users.
test('npm run demo: both users answered with their own Entra token after one consent each', async () => {
  const tmp = tempDir('mandate-demo-test-');
  const basePort = await freePortRange();
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['demo', '--port', String(basePort)], { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: tmp.dir });
    assert.equal(code, 0, `${out.join('\n')}\n${err.join('\n')}`);
    const text = out.join('\n');
    assert.match(text, /✓ mandate token get: consent as alice@/);
    assert.match(text, /✓ testuser1 asks again — answered from the vault, no consent/);
    assert.match(text, /✓ testuser2 asks again — answered from the vault, no consent/);
    const checks = out.filter((l) => /^ {2}[✓✗] testuser\d: token oid /.test(l));
    assert.deepEqual(checks.map((l) => l.slice(0, 13)), ['  ✓ testuser1', '  ✓ testuser2']);
    assert.match(text, /✓ testuser1: mandate tool call weather___get_weather — elicitation, browser consent as alice@/);
    assert.match(text, /✓ testuser2: mandate tool call weather___get_weather — elicitation, browser consent as bob@/);
    assert.match(text, /✓ each gateway call carried that user's own Entra token/);
    assert.match(out.at(-1)!, /^\nDemo passed in \d+\.\d s\.$/);
  } finally {
    tmp.remove();
  }
});
