import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@mandate/core';
import { runCli } from '../src/main.ts';
import { consentInBrowser, launchBrowser, spkiHash } from '../src/lib/consent-browser.ts';
import { startDevStack } from '../src/stack/dev-stack.ts';
import { freePortRange, tempDir } from './helpers.ts';

test('mandate invoke: prints the consent URL, waits while a person consents in a browser, prints the answer; consent denied is one clear line', async () => {
  const tmp = tempDir('mandate-invoke-');
  const basePort = await freePortRange();
  const stack = await startDevStack({ env: {}, cwd: tmp.dir, basePort, dataDir: tmp.dir, progress: () => {}, logger: silentLogger });
  const browser = await launchBrowser([await spkiHash(stack.devJson.entra.loginBaseUrl)]);
  try {
    const d = stack.devJson;
    const [bob] = [d.entra.users[1]!];
    const poolUser = d.userPool.users[1]!;
    const run = async () => {
      const out: string[] = [];
      const err: string[] = [];
      let consent: Promise<unknown> | undefined;
      const code = await runCli(['invoke', 'Weather in Paris?', '--user', poolUser.username, '--data-dir', tmp.dir], {
        out: (l) => {
          out.push(l);
          const m = /^ {2}(http\S+\/identities\/oauth2\/authorize\?request_uri=\S+)$/.exec(l);
          if (m) consent = consentInBrowser(browser, m[1]!, { entra: bob, returnPage: poolUser }, { entra: d.entra.loginBaseUrl });
        },
        err: (l) => err.push(l),
        env: {},
        cwd: tmp.dir,
      });
      await consent;
      return { code, out, err };
    };
    const ok = await run();
    assert.equal(ok.code, 0, ok.err.join('\n'));
    assert.ok(ok.out.includes(`${poolUser.username} must consent before the agent can use their Entra ID token. Open this URL in a browser:`));
    assert.ok(ok.out.includes('Consent received; the agent continues.'));
    assert.ok(ok.out.some((l) => l.startsWith('The weather in Paris is ') && l.includes(`oid ${bob.oid}`)), ok.out.join('\n'));

    // A user who has not consented yet declines: one clear line, non-zero exit.
    const fresh = d.userPool.users[0]!;
    const out: string[] = [];
    const err: string[] = [];
    let declined: Promise<unknown> | undefined;
    const code = await runCli(['invoke', 'Weather in Oslo?', '--user', fresh.username, '--data-dir', tmp.dir], {
      out: (l) => {
        out.push(l);
        const m = /^ {2}(http\S+\/identities\/oauth2\/authorize\?request_uri=\S+)$/.exec(l);
        if (m) {
          declined = (async () => {
            const context = await browser.newContext();
            const page = await context.newPage();
            await page.goto(m[1]!);
            await page.locator('input[name="username"]').fill(d.entra.users[0]!.username);
            await page.locator('input[name="password"]').fill(d.entra.users[0]!.password);
            await Promise.all([page.waitForEvent('load'), page.locator('button[type="submit"]').click()]);
            await Promise.all([page.waitForEvent('load'), page.locator('button[name="decision"][value="cancel"]').click()]);
            await context.close();
          })();
        }
      },
      err: (l) => err.push(l),
      env: {},
      cwd: tmp.dir,
    });
    await declined;
    assert.equal(code, 1, out.join('\n'));
    assert.match(err[0]!, /^mandate: The agent stopped: /);
    assert.match(err[1]!, /What to do: Run the command again to get a fresh consent URL\./);
  } finally {
    await browser.close();
    await stack.close();
    tmp.remove();
  }
});
