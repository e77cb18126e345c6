import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Clock } from '@mandate/core';
import { startUserPoolEmulator, type UserPoolEmulator } from '../src/userpool/index.ts';
import { sdkClient, STRONG } from './userpool-helpers.ts';

export const CALLBACK = 'http://127.0.0.1:9/callback';

export interface HostedPool {
  emu: UserPoolEmulator;
  cognito: ReturnType<typeof sdkClient>;
  poolId: string;
  /** A public client (no secret) with the code flow, CALLBACK and scopes openid/email/profile. */
  clientId: string;
  /** A confidential client (with a secret) with the code flow and CALLBACK. */
  secretClientId: string;
  secret: string;
  username: string;
  password: string;
  close(): Promise<void>;
}

/** An emulator with one pool, two hosted-sign-in clients and one confirmed user, set up through the SDK. */
export async function startHostedPool(options: { clock?: Clock; callbackUrls?: string[]; dataDir?: string } = {}): Promise<HostedPool> {
  const emu = await startUserPoolEmulator({ ...(options.clock ? { clock: options.clock } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  const cognito = sdkClient(emu.url);
  const poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'HostedPool' }))).UserPool!.Id!;
  const oauth = {
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code' as const],
    AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    CallbackURLs: options.callbackUrls ?? [CALLBACK],
    SupportedIdentityProviders: ['COGNITO'],
  };
  const pub = await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'WebApp', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...oauth,
  }));
  const conf = await cognito.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'ServerApp', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'], ...oauth,
  }));
  const username = 'alice';
  await cognito.send(new AdminCreateUserCommand({
    UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }, { Name: 'email_verified', Value: 'true' }, { Name: 'name', Value: 'Alice' }],
  }));
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: STRONG, Permanent: true }));
  return {
    emu, cognito, poolId, username, password: STRONG,
    clientId: pub.UserPoolClient!.ClientId!,
    secretClientId: conf.UserPoolClient!.ClientId!,
    secret: conf.UserPoolClient!.ClientSecret!,
    close: async () => {
      cognito.destroy();
      await emu.close();
    },
  };
}

/** A minimal cookie jar for fetch (name=value per cookie; the emulator's cookies are path-scoped to the pool). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.#cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface ParsedForm {
  action: string;
  fields: Record<string, string>;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The page's form: its action and its prefilled inputs (hidden fields, username). */
export function parseForm(html: string): ParsedForm {
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form on the page:\n${html}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input ([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(m[1]!)?.[1];
    const value = /value="([^"]*)"/.exec(m[1]!)?.[1];
    if (name !== undefined && value !== undefined) fields[name] = unescape(value);
  }
  return { action: unescape(action), fields };
}

/** The text of the page's alert, if any. */
export function alertText(html: string): string | undefined {
  const m = /role="alert"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  return m ? unescape(m[1]!.replace(/<[^>]+>/g, '').trim()) : undefined;
}

export async function get(url: string | URL, jar: CookieJar): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(res);
  return res;
}

/** Submits a page's form (with extra fields) the way a browser would. */
export async function submit(base: string, form: ParsedForm, values: Record<string, string>, jar: CookieJar): Promise<Response> {
  const res = await fetch(new URL(form.action, base), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ ...form.fields, ...values }),
  });
  jar.store(res);
  return res;
}

/** Opens the authorization URL and signs in on the page; returns the final response (a redirect on success). */
export async function signIn(authorizationUrl: string | URL, username: string, password: string, jar = new CookieJar()): Promise<Response> {
  const page = await get(authorizationUrl, jar);
  if (page.status !== 200) throw new Error(`the authorize endpoint answered ${page.status} ${page.headers.get('location') ?? await page.text()}`);
  return submit(String(authorizationUrl), parseForm(await page.text()), { username, password }, jar);
}

/** A loopback HTTP server standing in for an application's callback page; records what arrives. */
export async function callbackServer(): Promise<{ url: string; hits: URL[]; close(): Promise<void> }> {
  const hits: URL[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Signed in</title><h1>Signed in</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    hits,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
