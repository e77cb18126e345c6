import { createHash, X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { chromium, type Browser } from 'playwright-core';
import { UserError } from '../command.ts';

/**
 * The SPKI hash of the certificate an https origin serves (the local emulator's), so Chromium can be
 * told to trust exactly that key (`--ignore-certificate-errors-spki-list`) instead of ignoring every
 * certificate error.
 */
export async function spkiHash(origin: string): Promise<string> {
  const u = new URL(origin);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 443), rejectUnauthorized: false, servername: u.hostname === '127.0.0.1' ? undefined : u.hostname }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert.raw);
    });
    socket.once('error', reject);
  });
  const spki = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchBrowser(trustedSpki: string[] = []): Promise<Browser> {
  const args = trustedSpki.length ? [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${trustedSpki.join(',')}`] : CHROMIUM_ARGS;
  try {
    return await chromium.launch({ executablePath: process.env.MANDATE_CHROMIUM ?? '/usr/bin/chromium', args });
  } catch (err) {
    throw new UserError(`Cannot start Chromium: ${(err as Error).message.split('\n')[0]}`, 'Install it (`apt-get install -y chromium`) or point MANDATE_CHROMIUM at a Chromium binary.');
  }
}

/** Submits and waits for the next document to load (after however many redirects). */
async function submitAndWait(page: import('playwright-core').Page, submit: () => Promise<void>): Promise<void> {
  await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), submit()]);
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Plays a person in a real browser: opens Mandate's authorization URL, signs in to Entra ID and
 * accepts the consent page, then signs in to the workload's identity provider on Mandate's return page
 * (session binding), and stops on Mandate's final page. Returns that page's text.
 */
export async function consentInBrowser(browser: Browser, authorizationUrl: string, who: { entra: Credentials; returnPage: Credentials }, origins: { entra: string }): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(authorizationUrl);
    for (let step = 0; step < 12; step++) {
      await page.waitForLoadState('domcontentloaded');
      const url = new URL(page.url());
      const accept = page.locator('button[name="decision"][value="accept"]');
      const password = page.locator('input[name="password"]');
      const before = page.url();
      if (process.env.MANDATE_DEMO_DEBUG) console.error(`[browser] step ${step}: ${before}`);
      if (await accept.count()) {
        await submitAndWait(page, () => accept.click());
      } else if (await password.count()) {
        const creds = url.origin === origins.entra ? who.entra : who.returnPage;
        await page.locator('input[name="username"]').fill(creds.username);
        await password.fill(creds.password);
        await submitAndWait(page, () => page.locator('form button[type="submit"], form input[type="submit"]').first().click());
      } else if (url.origin !== origins.entra && !(await page.locator('form').count())) {
        // Mandate's final page, or the terminal's loopback page: nothing left to fill in.
        return (await page.locator('body').innerText()).trim();
      } else {
        await page.waitForTimeout(200);
      }
    }
    throw new Error(`consent did not finish; last page ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 300)}`);
  } finally {
    await context.close();
  }
}
