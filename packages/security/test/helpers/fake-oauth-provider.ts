import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * A small OAuth 2.0 authorization server on loopback that misbehaves on demand: it IS the thing under
 * test in the provider-fault and canary tests (a CustomOauth2 provider whose token endpoint answers 5xx,
 * hangs, sends garbage, or echoes what it was sent). In mode `ok` it implements the code, refresh-token
 * and client-credentials grants with PKCE S256 and rotating refresh tokens.
 */
export type TokenMode = 'ok' | '500' | '503-html' | 'hang' | 'garbage' | 'no-access-token' | 'invalid-grant' | 'echo-secret' | 'wrong-token-type';

export interface FakeProvider {
  url: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  mode: TokenMode;
  /** Values the next grants hand out (tests plant canaries here). */
  nextCode: () => string;
  nextAccessToken: () => string;
  nextRefreshToken: () => string;
  /** Every token-endpoint request body (form fields) in order. */
  tokenRequests: URLSearchParams[];
  /** Refresh tokens currently valid (rotation: redeeming one replaces it). */
  liveRefreshTokens: Set<string>;
  metadata(): { issuer: string; authorizationEndpoint: string; tokenEndpoint: string; responseTypes: string[]; tokenEndpointAuthMethods: string[] };
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeProvider(opts: { clientSecret?: string } = {}): Promise<FakeProvider> {
  const codes = new Map<string, { challenge: string | null; redirectUri: string }>();
  const hanging = new Set<ServerResponse>();
  const p: FakeProvider = {
    url: '',
    issuer: '',
    clientId: `fake-client-${randomBytes(4).toString('hex')}`,
    clientSecret: opts.clientSecret ?? `fake-secret-${randomBytes(12).toString('hex')}`,
    mode: 'ok',
    nextCode: () => randomBytes(16).toString('base64url'),
    nextAccessToken: () => `at-${randomBytes(16).toString('base64url')}`,
    nextRefreshToken: () => `rt-${randomBytes(16).toString('base64url')}`,
    tokenRequests: [],
    liveRefreshTokens: new Set(),
    metadata: () => ({ issuer: p.issuer, authorizationEndpoint: `${p.url}/authorize`, tokenEndpoint: `${p.url}/token`, responseTypes: ['code'], tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post'] }),
    close: async () => {
      for (const r of hanging) r.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const json = (res: ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(v));
  };
  const issue = (res: ServerResponse, withRefresh: boolean) => {
    const out: Record<string, unknown> = { access_token: p.nextAccessToken(), token_type: 'Bearer', expires_in: 3600 };
    if (withRefresh) {
      const rt = p.nextRefreshToken();
      p.liveRefreshTokens.add(rt);
      out.refresh_token = rt;
    }
    json(res, 200, out);
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url!, p.url);
      if (u.pathname === '/authorize') {
        const code = p.nextCode();
        const redirectUri = u.searchParams.get('redirect_uri')!;
        codes.set(code, { challenge: u.searchParams.get('code_challenge'), redirectUri });
        const to = new URL(redirectUri);
        to.searchParams.set('code', code);
        to.searchParams.set('state', u.searchParams.get('state') ?? '');
        res.writeHead(302, { location: to.href }).end();
        return;
      }
      if (u.pathname !== '/token' || req.method !== 'POST') return void res.writeHead(404).end();
      const form = new URLSearchParams(await body(req));
      p.tokenRequests.push(form);
      const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8') : undefined;
      const sentSecret = form.get('client_secret') ?? (basic ? decodeURIComponent(basic.slice(basic.indexOf(':') + 1)) : '');
      switch (p.mode) {
        case '500': return void json(res, 500, { error: 'server_error' });
        case '503-html': return void res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
        case 'hang': hanging.add(res); return;
        case 'garbage': return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token": "abc", ');
        case 'no-access-token': return void json(res, 200, { token_type: 'Bearer', expires_in: 3600 });
        case 'wrong-token-type': return void json(res, 200, { access_token: p.nextAccessToken(), token_type: 'weird', expires_in: 3600 });
        case 'invalid-grant': return void json(res, 400, { error: 'invalid_grant', error_description: 'The refresh token is revoked.' });
        case 'echo-secret': {
          const echoed = [sentSecret, form.get('code'), form.get('refresh_token'), form.get('code_verifier')].filter(Boolean).join(' ');
          return void json(res, 400, { error: 'invalid_request', error_description: `Bad request: ${echoed}` });
        }
      }
      if (sentSecret !== p.clientSecret) return void json(res, 401, { error: 'invalid_client' });
      const grant = form.get('grant_type');
      if (grant === 'client_credentials') return issue(res, false);
      if (grant === 'authorization_code') {
        const c = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!c || c.redirectUri !== form.get('redirect_uri')) return void json(res, 400, { error: 'invalid_grant' });
        const { createHash } = await import('node:crypto');
        if (c.challenge !== createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url')) return void json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
        return issue(res, true);
      }
      if (grant === 'refresh_token') {
        const rt = form.get('refresh_token') ?? '';
        if (!p.liveRefreshTokens.delete(rt)) return void json(res, 400, { error: 'invalid_grant' });
        return issue(res, true);
      }
      json(res, 400, { error: 'unsupported_grant_type' });
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  p.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p.issuer = p.url;
  return p;
}
