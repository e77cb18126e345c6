/** A real browser (Chromium via playwright-core) signs in and consents through the emulator's pages. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startEntraEmulator, type EntraEmulator } from '../src/entra/index.ts';
import { trustCa } from '../src/tls/index.ts';
import { fixture } from './entra-helpers.ts';

const f = fixture();
let emu: EntraEmulator;
let browser: Browser;
let app: Server;
let redirectUri = '';
const callbacks: URL[] = [];

before(async () => {
  emu = await startEntraEmulator({ seed: f.seed });
  trustCa(emu.caCertPem);
  // A real client callback endpoint, registered the way the dev stack does it (after start-up).
  app = createServer((req, res) => {
    // Only the redirect URI itself: Chromium also asks this origin for /favicon.ico.
    const u = new URL(req.url!, redirectUri);
    if (u.pathname === '/callback') callbacks.push(u);
    res.end('signed in');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  redirectUri = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
  emu.directory.addRedirectUri(f.tenantId, f.clientId, redirectUri);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await emu.close();
  app.closeAllConnections();
  await new Promise((r) => app.close(r));
});

test('sign in and consent in Chromium, redeem the code, SSO on return, Cancel gives access_denied', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const verifier = 'browser-verifier-'.padEnd(64, 'x');
  const authorize = new URL(`${emu.url}/${f.domain}/oauth2/v2.0/authorize`);
  authorize.search = new URLSearchParams({
    client_id: f.clientId, response_type: 'code', redirect_uri: redirectUri, scope: `openid profile offline_access api://${f.apiId}/read`,
    state: 'browser-state', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  await page.goto(authorize.href);
  assert.equal(await page.title(), 'Sign in to your account');
  assert.match(await page.locator('main').innerText(), /to continue to mandate-agent \(Contoso\)/);
  await page.getByLabel('Email or username').fill(f.alice.username);
  await page.getByLabel('Password').fill(f.alice.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/emulator\/interaction\//);
  assert.equal(await page.title(), 'Permissions requested');
  const text = await page.locator('main').innerText();
  assert.match(text, /mandate-agent wants to act as alice@contoso\.onmicrosoft\.com/);
  assert.match(text, /read on Orders API \(api:\/\/[0-9a-f-]+\)/);
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.waitForURL((u) => u.href.startsWith(redirectUri));
  const callback = callbacks.at(-1)!;
  assert.equal(callback.searchParams.get('state'), 'browser-state');
  const code = callback.searchParams.get('code')!;
  const res = await fetch(`${emu.url}/${f.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: f.clientId, client_secret: f.clientSecret, code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  assert.equal(res.status, 200);

  // Second visit: the session cookie signs Alice in silently and consent is remembered.
  authorize.searchParams.set('state', 'again');
  await page.goto(authorize.href);
  await page.waitForURL((u) => u.href.startsWith(redirectUri));
  assert.equal(callbacks.at(-1)!.searchParams.get('state'), 'again');

  // Incremental consent for a new scope: the session skips sign-in, the consent page lists only `write`; Cancel.
  authorize.searchParams.set('scope', `api://${f.apiId}/write`);
  authorize.searchParams.set('state', 'cancel');
  await page.goto(authorize.href);
  assert.equal(await page.title(), 'Permissions requested');
  assert.doesNotMatch(await page.locator('main').innerText(), /\bread on/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForURL((u) => u.href.startsWith(redirectUri));
  const denied = callbacks.at(-1)!;
  assert.equal(denied.searchParams.get('error'), 'access_denied');
  assert.match(denied.searchParams.get('error_description')!, /^AADSTS65004: /);
  assert.equal(denied.searchParams.get('state'), 'cancel');
  await context.close();
});
