import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { CompleteResourceTokenAuthCommand, GetWorkloadAccessTokenForUserIdCommand, type BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { demoSeed, startEntraEmulator, type EntraEmulator } from '@mandate/emulators';
import { trustCa } from '@mandate/emulators';
import { verifyEntraAccessToken } from '@mandate/sdk';
import { collections } from '../src/model.ts';
import { createWorkload, dataClient, REGION, startMandate, workloadKey, type Mandate } from './data-harness.ts';
import { CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';

/**
 * The notebook's scenario in a real browser: the unmodified bedrock-agentcore withAccessToken asks for an
 * Entra token, the user signs in and consents on the emulator's pages in Chromium, Mandate redirects to the
 * application's return URL, and the application (which knows its signed-in user from its own cookie)
 * calls CompleteResourceTokenAuth. A second user who opens a forwarded URL gets nothing.
 */
const seed = demoSeed();
const tenant = seed.tenants[0]!;
const appReg = tenant.apps![0]!;
const [alice, bob] = [tenant.users![0]!, tenant.users![1]!];
let emu: EntraEmulator;
let m: Mandate;
let browser: Browser;
let returnUrl = '';
let agent: BedrockAgentCoreClient;
const completions: { user: string; outcome: string }[] = [];

before(async () => {
  emu = await startEntraEmulator({ seed });
  trustCa(emu.caCertPem);
  m = await startMandate({ entraAuthorityBase: emu.url });
  const out = await m.control.send(new CreateOauth2CredentialProviderCommand({
    name: 'entra', credentialProviderVendor: 'MicrosoftOauth2',
    oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: appReg.appId, clientSecret: appReg.clientSecrets![0]!.value, tenantId: tenant.id } },
  }));
  emu.directory.addRedirectUri(tenant.id, appReg.appId, out.callbackUrl!);
  // The application's return URL: it knows who is signed in from its own session cookie. It is served on
  // Mandate's origin (as behind one reverse proxy) because the emulator's consent page sets a CSP
  // form-action that Chromium also applies to every redirect after the form post.
  returnUrl = `${m.url}/app/oauth/return`;
  m.identity.router.add('GET', '/app/oauth/return', async ({ req, res }) => {
    const url = new URL(req.url!, returnUrl);
    const user = /(?:^|;\s*)app_user=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    let outcome = 'no app session';
    if (user) {
      try {
        await agent.send(new CompleteResourceTokenAuthCommand({ sessionUri: url.searchParams.get('session_id')!, userIdentifier: { userId: user } }));
        outcome = 'completed';
      } catch (err) {
        outcome = (err as Error).name;
      }
    }
    completions.push({ user: user ?? '', outcome });
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>${outcome}</title>`);
  });
  await createWorkload(m, 'browser-agent', [returnUrl]);
  agent = dataClient(m.url, await workloadKey(m, 'browser-agent', true));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await m?.close();
  await emu?.close();
});

/** A person at a browser: signed in to the application as `appUser`, signing in to Entra as `entraUser`. */
async function personOpens(url: string, appUser: string, entraUser: { username: string; password: string }): Promise<string> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  await context.addCookies([{ name: 'app_user', value: appUser, url: returnUrl }]);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel('Email or username').fill(entraUser.username);
  await page.getByLabel('Password').fill(entraUser.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/emulator\/interaction\//);
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.waitForURL((u) => u.href.startsWith(returnUrl));
  const title = await page.title();
  await context.close();
  return title;
}

async function withOfficialSdk<T>(fn: () => Promise<T>): Promise<T> {
  const creds = await workloadKey(m, 'browser-agent');
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: m.url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

test('Chromium: sign-in and consent on Entra, binding by the application, token for the official SDK', async () => {
  const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'browser-agent', userId: 'alice' }))).workloadAccessToken!;
  const { withAccessToken } = await import('bedrock-agentcore/identity');
  const token = await withOfficialSdk(() => withAccessToken({
    workloadIdentityToken: wat, providerName: 'entra', scopes: [`api://${appReg.appId}/read`], authFlow: 'USER_FEDERATION', callbackUrl: returnUrl,
    onAuthUrl: async (url: string) => {
      assert.equal(await personOpens(url, 'alice', alice), 'completed');
    },
  })(async (t: string) => t)());
  const claims = await verifyEntraAccessToken(token, { tenantId: tenant.id, audience: appReg.appId, authorityBase: emu.url, requiredScopes: ['read'] });
  assert.equal(claims.tid, tenant.id);
  assert.equal(claims.preferred_username, alice.username);
});

test('Chromium: a forwarded URL consented by another user stores nothing and the agent gets an error', async () => {
  const rows = await m.identity.services.store.count(collections.vaultTokens);
  const wat = (await agent.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'browser-agent', userId: 'alice' }))).workloadAccessToken!;
  const { withAccessToken } = await import('bedrock-agentcore/identity');
  await assert.rejects(withOfficialSdk(() => withAccessToken({
    workloadIdentityToken: wat, providerName: 'entra', scopes: [`api://${appReg.appId}/read`], authFlow: 'USER_FEDERATION', callbackUrl: returnUrl, forceAuthentication: true,
    onAuthUrl: async (url: string) => {
      // Alice forwards the URL to Bob, who is signed in to the application as himself.
      assert.equal(await personOpens(url, 'bob', bob), 'AccessDeniedException');
    },
  })(async (t: string) => t)()), { name: 'AccessDeniedException', message: 'The user who completed the authorization is not the user who started it.' });
  assert.equal(await m.identity.services.store.count(collections.vaultTokens), rows);
  assert.deepEqual(completions.at(-1), { user: 'bob', outcome: 'AccessDeniedException' });
});
