// Each quirk of the provider catalog, exercised with a vendor that needs it: the request Mandate sends
// and what it keeps, through the real flow code and oauth4webapi, with the vendor's HTTP answered locally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as o from 'oauth4webapi';
import { catalogEntryFor, resolveCatalogEndpoints } from '../src/catalog/index.ts';
import { providerAuthorizationUrl } from '../src/flows/authorize.ts';
import { clientSecretContext, loadProvider, providerClient, type ProviderClient } from '../src/flows/provider-client.ts';
import { missingScopes, userScopes } from '../src/flows/scopes.ts';
import { createSession, loadSession } from '../src/sessions/sessions.ts';
import { collections, type Oauth2ProviderDoc } from '../src/model.ts';
import { testServices } from './data-helpers.ts';

interface Seen {
  url: string;
  contentType: string | null;
  body: string;
}

/** A provider of `vendor`, created as the control plane does (the catalog's endpoints and quirks), with its HTTP answered by `answer`. */
async function vendorProvider(vendor: string, answer: Record<string, unknown>, opts: { publicClient?: boolean } = {}) {
  const seen: Seen[] = [];
  const s = testServices({
    fetch: async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const headers = new Headers(init?.headers);
      seen.push({ url, contentType: headers.get('content-type'), body: init?.body === undefined ? '' : String(init.body) });
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  const e = catalogEntryFor(vendor);
  const doc: Oauth2ProviderDoc = {
    name: 'p', credentialProviderArn: 'arn:x', vendor, configMember: e.member, clientId: 'cid',
    clientSecretSource: 'MANAGED', clientSecretArn: 'arn:s',
    endpoints: resolveCatalogEndpoints(e, { authorityBase: 'https://login.microsoftonline.com', tenant: 'common' })!,
    configOutput: {},
    quirks: { scopeSeparator: e.scopeSeparator, tokenAuthMethod: opts.publicClient ? 'none' : e.tokenAuthMethod, defaultScopes: e.defaultScopes, ...structuredClone(e.quirks) },
    callbackId: 'cb', status: 'READY', createdTime: 0, lastUpdatedTime: 0,
  };
  if (!opts.publicClient) doc.clientSecret = await s.secrets.seal('csecret', clientSecretContext('p'));
  await s.store.put(collections.oauth2Providers, 'p', doc);
  const pc = await providerClient(s, await loadProvider(s, 'p'));
  return { s, pc, seen };
}

/** The code exchange as the callback does it, returning what oauth4webapi accepted. */
async function redeem(pc: ProviderClient) {
  const params = o.validateAuthResponse(pc.as, pc.client, new URLSearchParams({ code: 'the-code', state: 'st' }), 'st');
  const res = await o.authorizationCodeGrantRequest(pc.as, pc.client, pc.auth, params, pc.redirectUri, 'v'.repeat(43), pc.options);
  return o.processAuthorizationCodeResponse(pc.as, pc.client, res);
}

async function authorizationUrl(vendor: string, scopes: string[], resources?: string[], customParameters?: Record<string, string>) {
  const { s } = await vendorProvider(vendor, {});
  const d = await createSession(s, {
    workloadName: 'w', user: { kind: 'userId', userId: 'u' }, providerName: 'p', scopes, returnUrl: 'https://app.example/back', codeVerifier: 'v'.repeat(43),
    ...(resources ? { resources } : {}), ...(customParameters ? { customParameters } : {}),
  });
  return new URL(await providerAuthorizationUrl(s, (await loadSession(s, d.sessionId))!));
}

test('Slack: user scopes go in user_scope, the user token is lifted from authed_user, and the bot\'s `scope` is not compared', async () => {
  const url = await authorizationUrl('SlackOauth2', ['channels:read', 'chat:write'], undefined, { user_scope: 'admin', team: 'T1' });
  assert.equal(url.searchParams.get('user_scope'), 'channels:read,chat:write', 'customParameters cannot widen the scopes the vault key names');
  assert.equal(url.searchParams.get('team'), 'T1');
  assert.equal(url.searchParams.get('scope'), null, 'no bot scopes are asked for');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256', 'PKCE goes to every vendor');
  const { pc } = await vendorProvider('SlackOauth2', {
    ok: true, access_token: 'xoxb-bot', token_type: 'bot', scope: 'commands',
    authed_user: { id: 'U1', scope: 'channels:read,chat:write', access_token: 'xoxp-user', token_type: 'user' },
  });
  const out = await redeem(pc);
  assert.equal(out.access_token, 'xoxp-user', "the user's token, never the bot's");
  assert.equal(out.scope, 'channels:read,chat:write');
  assert.deepEqual(missingScopes(pc, ['channels:read', 'chat:write'], 'commands'), []);
  // Token rotation: a refresh answers with the user token at the top level, still `token_type: "user"`.
  const { pc: rotating } = await vendorProvider('SlackOauth2', { ok: true, access_token: 'xoxe.xoxp-new', token_type: 'user', refresh_token: 'xoxe-r2', expires_in: 43200 });
  const refreshed = await o.processRefreshTokenResponse(rotating.as, rotating.client, await o.refreshTokenGrantRequest(rotating.as, rotating.client, rotating.auth, 'xoxe-r1', rotating.options));
  assert.equal(refreshed.access_token, 'xoxe.xoxp-new');
  assert.equal(refreshed.refresh_token, 'xoxe-r2');
});

test('Notion: the token request is a JSON body (tokenRequestJson), with HTTP Basic client authentication', async () => {
  const { pc, seen } = await vendorProvider('NotionOauth2', { access_token: 'secret_n', token_type: 'bearer', workspace_id: 'w' });
  assert.equal((await redeem(pc)).access_token, 'secret_n');
  const req = seen.at(-1)!;
  assert.equal(req.url, 'https://api.notion.com/v1/oauth/token');
  assert.equal(req.contentType, 'application/json');
  assert.deepEqual(JSON.parse(req.body), { redirect_uri: pc.redirectUri, code_verifier: 'v'.repeat(43), code: 'the-code', grant_type: 'authorization_code' });
  const url = await authorizationUrl('NotionOauth2', ['ignored']);
  assert.equal(url.searchParams.get('scope'), null, 'noScopes: Notion has none');
  assert.equal(url.searchParams.get('owner'), 'user', 'authorizationParams');
});

test('Entra: no RFC 8707 resource, offline_access added, Graph\'s long and short scope forms are equal, M2M scopes become .default', async () => {
  const url = await authorizationUrl('MicrosoftOauth2', ['User.Read'], ['https://graph.microsoft.com']);
  assert.deepEqual(url.searchParams.getAll('resource'), [], 'noResourceIndicators');
  assert.equal(url.searchParams.get('scope'), 'User.Read offline_access');
  const { pc } = await vendorProvider('MicrosoftOauth2', {});
  assert.deepEqual(missingScopes(pc, ['User.Read', 'Mail.Read'], 'https://graph.microsoft.com/User.Read'), ['Mail.Read']);
  const { m2mScopes } = await import('../src/flows/scopes.ts');
  assert.deepEqual(m2mScopes(pc, ['api://app/read', 'api://app/write', 'User.Read']), ['api://app/.default', 'https://graph.microsoft.com/.default']);
  assert.equal(pc.quirks.onBehalfOfGrant, 'jwt-bearer');
});

test('Google: RFC 8707 resource is sent and the vendor\'s extra authorization parameters are added', async () => {
  const url = await authorizationUrl('GoogleOauth2', ['openid'], ['https://api.example']);
  assert.deepEqual(url.searchParams.getAll('resource'), ['https://api.example']);
  assert.equal(url.searchParams.get('access_type'), 'offline');
  const { pc } = await vendorProvider('GoogleOauth2', {});
  assert.deepEqual(userScopes(pc, ['openid']), ['openid'], 'no refresh scope quirk');
});

test('a public client (no secret, as the control plane accepts for custom providers): client_id in the body, no secret, PKCE', async () => {
  const { pc, seen } = await vendorProvider('GitlabOauth2', { access_token: 'glpat', token_type: 'bearer', expires_in: 7200 }, { publicClient: true });
  assert.equal((await redeem(pc)).access_token, 'glpat');
  const body = new URLSearchParams(seen.at(-1)!.body);
  assert.equal(body.get('client_id'), 'cid');
  assert.equal(body.get('client_secret'), null);
  assert.equal(body.get('code_verifier'), 'v'.repeat(43));
  const { getM2mToken } = await import('../src/flows/m2m.ts');
  const { s } = await vendorProvider('GitlabOauth2', {}, { publicClient: true });
  await assert.rejects(getM2mToken(s, pc, { scopes: ['api'] }), { code: 'validation', message: 'Credential provider p is a public client (no client secret): the client-credentials grant (M2M) needs a confidential client (RFC 6749 §4.4).' });
  assert.equal(seen.length, 1, 'no client-credentials request was sent');
});

test('GitLab, added by one catalog entry: its endpoints, default scope and client_secret_post work unchanged', async () => {
  const url = await authorizationUrl('GitlabOauth2', ['read_user', 'api']);
  assert.equal(url.origin + url.pathname, 'https://gitlab.com/oauth/authorize');
  assert.equal(url.searchParams.get('scope'), 'read_user api');
  const { pc, seen } = await vendorProvider('GitlabOauth2', { access_token: 'glpat-2', token_type: 'Bearer', refresh_token: 'r', expires_in: 7200, scope: 'read_user api' });
  assert.equal((await redeem(pc)).access_token, 'glpat-2');
  const req = seen.at(-1)!;
  assert.equal(req.url, 'https://gitlab.com/oauth/token');
  assert.equal(new URLSearchParams(req.body).get('client_secret'), 'csecret');
});
