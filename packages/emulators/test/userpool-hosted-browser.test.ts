/** A real browser (Chromium via playwright-core) signs in on the user pool's hosted sign-in page. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { chromium, type Browser } from 'playwright-core';
import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { callbackServer, startHostedPool, type HostedPool } from './userpool-hosted-helpers.ts';
import { STRONG, verifyViaDiscovery } from './userpool-helpers.ts';

let h: HostedPool;
let app: Awaited<ReturnType<typeof callbackServer>>;
let browser: Browser;

before(async () => {
  app = await callbackServer();
  h = await startHostedPool({ callbackUrls: [app.url] });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await h.close();
  await app.close();
});

async function start(scope: string, redirectUri = app.url) {
  const config = await oidc.discovery(new URL(h.emu.issuer(h.poolId)), h.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, nonce, state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  return { config, url, verifier, nonce, state };
}

test('Chromium: a wrong password shows the generic message, the right one lands on the callback with a code that redeems', async () => {
  const { config, url, verifier, nonce, state } = await start('openid email profile');
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url.href);
    assert.equal(await page.title(), 'Sign in');
    assert.match(await page.locator('main').innerText(), /to continue to WebApp/);
    await page.getByLabel('Username').fill(h.username);
    await page.getByLabel('Password').fill('Not-The-Password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    assert.equal(await page.getByRole('alert').innerText(), 'Incorrect username or password.');
    assert.equal(await page.getByLabel('Username').inputValue(), h.username);

    await page.getByLabel('Password').fill(h.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(app.url));
    assert.equal(await page.title(), 'Signed in');
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('state'), state);
    // One visit to the callback (the browser may also ask for /favicon.ico).
    assert.equal(app.hits.filter((u) => u.pathname === '/callback').length, 1);

    const tokens = await oidc.authorizationCodeGrant(config, landed, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const { payload } = await verifyViaDiscovery(h.emu.discoveryUrl(h.poolId), tokens.id_token!, { audience: h.clientId });
    assert.equal(payload['cognito:username'], h.username);
    assert.equal(payload.nonce, nonce);
  } finally {
    await context.close();
  }
});

test('Chromium: a user with a temporary password sets a new one on the page and continues', async () => {
  await h.cognito.send(new AdminCreateUserCommand({ UserPoolId: h.poolId, Username: 'carol', TemporaryPassword: 'Temp-Pass-456', MessageAction: 'SUPPRESS' }));
  const { config, url, verifier, nonce, state } = await start('openid');
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url.href);
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('Temp-Pass-456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    assert.equal(await page.title(), 'Change password');
    await page.getByLabel('New password', { exact: true }).fill(STRONG);
    await page.getByLabel('Enter the new password again').fill(STRONG);
    await page.getByRole('button', { name: 'Change password and sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(app.url));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    assert.equal(tokens.claims()!['cognito:username'], 'carol');
  } finally {
    await context.close();
  }
});

test('Chromium: a callback that redirects on to another origin is followed (no form-action on the pages)', async () => {
  // An application whose callback (on localhost) forwards the browser to its app page (on 127.0.0.1).
  const hop: Server = createServer((req, res) => {
    res.writeHead(302, { location: `${app.url}${new URL(req.url ?? '/', 'http://localhost').search}` });
    res.end();
  });
  await new Promise<void>((resolve) => hop.listen(0, 'localhost', resolve));
  const hopUrl = `http://localhost:${(hop.address() as AddressInfo).port}/callback`;
  await h.emu.addCallbackUrl(h.poolId, h.clientId, hopUrl);
  const { url, state } = await start('openid', hopUrl);
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url.href);
    await page.getByLabel('Username').fill(h.username);
    await page.getByLabel('Password').fill(h.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(app.url));
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('state'), state);
    assert.match(landed.searchParams.get('code')!, /^[A-Za-z0-9_-]{43}$/);
  } finally {
    await context.close();
    hop.closeAllConnections();
    await new Promise((resolve) => hop.close(resolve));
  }
});
