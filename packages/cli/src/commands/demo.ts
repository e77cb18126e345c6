import { silentLogger } from '@mandate/core';
import type { Command, CommandIo } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import type { Browser } from 'playwright-core';
import { consentInBrowser, launchBrowser, spkiHash } from '../lib/consent-browser.ts';
import { invokeAgent } from '../lib/invoke-agent.ts';
import { userPoolAccessToken } from '../lib/user-pool-login.ts';
import { startDevStack } from '../stack/dev-stack.ts';
import { WEATHER_AGENT } from '../stack/seed-setup.ts';
import { runCli } from '../main.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROMPT = 'Weather in San Francisco?';

const CONSENT_LINE = /^ {2}(http\S+\/identities\/oauth2\/authorize\?request_uri=\S+)$/;

/**
 * Runs a `mandate` command as a person at a terminal would: its output is collected, and the first consent
 * URL it prints is opened in the browser and consented to as `who`. Returns the exit code, the lines, and
 * whether a consent happened; a browser failure is an error naming `what`.
 */
async function runWithConsent(io: CommandIo, browser: Browser, args: string[], who: Parameters<typeof consentInBrowser>[2], origins: { entra: string }, what: string): Promise<{ code: number; lines: string[]; consented: boolean }> {
  const lines: string[] = [];
  let consent: Promise<void> | undefined;
  let browserError: unknown;
  const sub: CommandIo = {
    ...io,
    out: (l) => {
      lines.push(l);
      const m = CONSENT_LINE.exec(l);
      if (m && !consent) consent = consentInBrowser(browser, m[1]!, who, origins).then(() => {}, (err: unknown) => void (browserError = err));
    },
  };
  const code = await runCli(args, sub);
  await consent;
  if (browserError) throw new UserError(`${what}: the browser could not complete the consent: ${(browserError as Error).message}`);
  return { code, lines, consented: consent !== undefined };
}

/**
 * `npm run demo`: the seed notebook end to end, headless, on a fresh stack: Steps 1-2 (tenant, app,
 * credential provider), Step 3 (a delegated token from a terminal, verified locally), Step 4 (the
 * weather agent on the runtime behind the user pool, invoked by two users who each consent once in a
 * real headless browser). Ends with both answers and a check that each used that user's own token.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: "Run the seed notebook end to end, headless (fresh stack, real browser consent for two users).",
  usage: 'mandate demo [--port BASE] [--keep]',
  async run(args, io) {
    const p = parseArgs(args, ['keep']);
    const portFlag = flagString(p, 'port');
    const basePort = portFlag ? Number(portFlag) : 7700 + Math.floor(Math.random() * 200) * 5;
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-demo-'));
    const t0 = Date.now();
    const say = (l: string) => io.out(l);
    const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
      const t = Date.now();
      const v = await fn();
      say(`  ✓ ${label} (${Date.now() - t} ms)`);
      return v;
    };
    say(`Mandate demo: the seed notebook, headless (data in ${dataDir})`);
    const stack = await startDevStack({ env: io.env, cwd: io.cwd, basePort, dataDir, progress: () => {}, logger: silentLogger });
    const browser = await launchBrowser([await spkiHash(stack.devJson.entra.loginBaseUrl)]).catch(async (err) => {
      await stack.close();
      throw err;
    });
    const d = stack.devJson;
    const origins = { entra: d.entra.loginBaseUrl };
    try {
      say(`\nSteps 1-2: Entra tenant ${d.entra.tenantId}, app registration ${d.entra.apps[0]!.clientId} exposing ${d.entra.apps[0]!.scopes[0]}`);
      say(`  credential provider ${d.credentialProviders[0]!.name}, callbackUrl ${d.credentialProviders[0]!.callbackUrl} (registered as the app's redirect URI)`);

      say('\nStep 3: validate locally — a delegated token from the terminal');
      const alice = d.entra.users[0]!;
      await timed(`mandate token get: consent as ${alice.username}, token decoded and verified`, async () => {
        const { code, lines } = await runWithConsent(io, browser, ['token', 'get', '--data-dir', dataDir, '--timeout', '60'], { entra: alice, returnPage: alice }, origins, 'Step 3');
        if (code !== 0) throw new UserError(`Step 3 failed:\n${lines.join('\n')}`);
        const verified = lines.find((l) => l.includes('Verified locally'));
        if (!verified) throw new UserError('Step 3 did not verify the token locally.');
        const payload = JSON.parse(lines.slice(lines.findIndex((l) => l.includes('Decoded access token:')) + 1, lines.findIndex((l) => l.includes('Verified locally'))).join('\n')).payload as Record<string, unknown>;
        if (payload.oid !== alice.oid) throw new UserError(`Step 3 token has oid ${String(payload.oid)}, expected ${alice.oid}.`);
        say(`    aud ${String(payload.aud)}, scp ${String(payload.scp)}, tid ${String(payload.tid)}, oid ${String(payload.oid)}`);
      });

      say('\nStep 4: the weather agent on the runtime, two users, each consenting once');
      const pairs = [
        { poolUser: d.userPool.users[0]!, entraUser: d.entra.users[0]! },
        { poolUser: d.userPool.users[1]!, entraUser: d.entra.users[1]! },
      ];
      const answers: { user: string; answer: string; oid: string }[] = [];
      for (const { poolUser, entraUser } of pairs) {
        const bearer = await timed(`${poolUser.username} signs in to the user pool (USER_PASSWORD_AUTH)`, () => userPoolAccessToken(d, poolUser.username, poolUser.password));
        let consent: Promise<void> | undefined;
        let browserError: unknown;
        let sawAuth = false;
        const r = await timed(`${poolUser.username} asks "${PROMPT}" — consent URL, browser consent as ${entraUser.username}, answer`, () =>
          invokeAgent({
            d, agentName: WEATHER_AGENT, prompt: PROMPT, bearerToken: bearer,
            onEvent: (e) => {
              if (e.event === 'auth_required') {
                sawAuth = true;
                const url = (JSON.parse(e.data) as { authorizationUrl: string }).authorizationUrl;
                consent = consentInBrowser(browser, url, { entra: entraUser, returnPage: poolUser }, origins).then(() => {}, (err: unknown) => void (browserError = err));
              }
              if (e.event === 'error') throw new UserError(`The agent failed for ${poolUser.username}: ${e.data}`);
            },
          }),
        );
        await consent;
        if (browserError) throw new UserError(`The browser could not complete ${poolUser.username}'s consent: ${(browserError as Error).message}`);
        if (!sawAuth) throw new UserError(`${poolUser.username} was not asked to consent on a fresh stack.`);
        if (!r.answer) throw new UserError(`No answer for ${poolUser.username}.`);
        say(`    ${r.answer}`);
        const again = await timed(`${poolUser.username} asks again — answered from the vault, no consent`, () =>
          invokeAgent({ d, agentName: WEATHER_AGENT, prompt: PROMPT, bearerToken: bearer, onEvent: (e) => {
            if (e.event === 'auth_required') throw new UserError(`${poolUser.username} was asked to consent twice.`);
          } }),
        );
        if (again.answer !== r.answer) throw new UserError(`The second answer for ${poolUser.username} differs: ${again.answer}`);
        answers.push({ user: poolUser.username, answer: r.answer, oid: entraUser.oid });
      }

      say('\nCheck: each user\'s answer was computed with that user\'s own Entra token');
      for (const a of answers) {
        const others = answers.filter((x) => x !== a).map((x) => x.oid);
        const ok = a.answer.includes(`oid ${a.oid}`) && !others.some((o) => a.answer.includes(o));
        say(`  ${ok ? '✓' : '✗'} ${a.user}: token oid ${a.oid}`);
        if (!ok) throw new UserError(`${a.user}'s answer does not carry their own oid ${a.oid}: ${a.answer}`);
      }
      say('\nStep 5: the same weather tool over MCP, through the gateway: each user consents once for the gateway, by URL elicitation');
      const gw = d.gateway;
      if (!gw) throw new UserError('The demo stack has no MCP gateway.');
      for (const { poolUser, entraUser } of pairs) {
        const { code, lines, consented } = await timed(`${poolUser.username}: mandate tool call weather___get_weather — elicitation, browser consent as ${entraUser.username}, result`, () =>
          runWithConsent(io, browser, ['tool', 'call', 'weather___get_weather', '--user', poolUser.username, '--password', poolUser.password, '--arg', 'city=San Francisco', '--data-dir', dataDir, '--timeout', '60'],
            { entra: entraUser, returnPage: poolUser }, origins, `Step 5 (${poolUser.username})`));
        if (code !== 0) throw new UserError(`Step 5 failed for ${poolUser.username}:\n${lines.join('\n')}`);
        if (!consented) throw new UserError(`${poolUser.username} was not asked to consent for the gateway.`);
        const report = JSON.parse(lines.find((l) => l.startsWith('{'))!) as { checkedFor: { oid: string } };
        if (report.checkedFor.oid !== entraUser.oid) throw new UserError(`The gateway answered ${poolUser.username} with oid ${report.checkedFor.oid}, expected ${entraUser.oid}.`);
        say(`    ${lines.find((l) => l.startsWith('{'))}`);
      }
      say(`  ✓ each gateway call carried that user's own Entra token (oid checked by the MCP server); the MCP client never saw it`);
      say(`\nDemo passed in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
      return 0;
    } finally {
      await browser.close();
      await stack.close();
      if (p.flags.keep !== true) rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
