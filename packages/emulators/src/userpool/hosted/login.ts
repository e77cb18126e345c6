/**
 * POST /{poolId}/login and POST /{poolId}/new-password: the sign-in form and, for a user holding a
 * temporary password (FORCE_CHANGE_PASSWORD), the new-password form Cognito's managed login shows.
 * Each form only works from the browser that started the sign-in (cookie) and carries a CSRF token.
 * A wrong password and an unknown user get the same message and cost the same time. On success the
 * browser is sent to the redirect URI with a single-use code and the client's state.
 */
import { CognitoError } from '../errors.ts';
import type { ServerResponse } from 'node:http';
import { epochSeconds, randomToken } from '@mandate/core';
import { sendHtml, type RequestContext } from '@mandate/http';
import type { ClientRecord, PoolRecord, UserRecord } from '../model.ts';
import { setPassword } from '../ops/users.ts';
import { burnPasswordCheck, verifyPassword } from '../passwords.ts';
import type { UserPoolContext } from '../protocol.ts';
import { findClient, findPool, redirectWith, BROWSER_COOKIE } from './authorize.ts';
import { BadRequest, cookie, readForm, safeEqual } from './http.ts';
import { formPageHeaders, loginPage, newPasswordPage, sendErrorPage } from './pages.ts';
import { CODE_TTL_MS, INTERACTION_TTL_MS, type HostedState, type Interaction } from './store.ts';

const DAY_MS = 86_400_000;
const INCORRECT = 'Incorrect username or password.';

interface Loaded {
  pool: PoolRecord;
  client: ClientRecord;
  id: string;
  ix: Interaction;
  form: URLSearchParams;
}

function expired(res: ServerResponse): void {
  sendErrorPage(res, 400, 'invalid_request', 'This sign-in page has expired or was opened in another browser. Go back to the application and sign in again.');
}

/** The interaction a form belongs to, if the browser, the CSRF token and the client's settings still match. */
async function load(ctx: UserPoolContext, hosted: HostedState, rc: RequestContext): Promise<Loaded | undefined> {
  const pool = findPool(ctx, rc.params.poolId!);
  let form: URLSearchParams;
  try {
    form = await readForm(rc.req);
  } catch (err) {
    if (err instanceof BadRequest) return undefined;
    throw err;
  }
  const id = form.get('interaction') ?? '';
  const ix = pool && id ? hosted.interactions.get(id) : undefined;
  if (!pool || !ix || ix.request.poolId !== pool.id) return undefined;
  if (!safeEqual(cookie(rc.req, BROWSER_COOKIE) ?? '', ix.browserId) || !safeEqual(form.get('_csrf') ?? '', ix.csrf)) return undefined;
  const client = findClient(pool, ix.request.clientId);
  // The client may have been changed since the page was shown.
  if (!client || !client.callbackUrls.includes(ix.request.redirectUri)) return undefined;
  return { pool, client, id, ix, form };
}

export function handleLogin(ctx: UserPoolContext, hosted: HostedState) {
  return async (rc: RequestContext): Promise<void> => {
    const l = await load(ctx, hosted, rc);
    if (!l) return expired(rc.res);
    const { pool, client, id, ix, form } = l;
    const again = (error: string, username: string) => sendHtml(rc.res, 200, loginPage({
      action: `/${pool.id}/login`, interaction: id, csrf: ix.csrf, clientName: client.clientName, username, error,
    }), formPageHeaders());

    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    const user = username ? ctx.state.findUser(pool, username) : undefined;
    if (!user || user.passwordHash === undefined) {
      await burnPasswordCheck(password);
      return again(INCORRECT, username);
    }
    if (!(await verifyPassword(password, user.passwordHash))) return again(INCORRECT, username);
    if (!user.enabled) return again('User is disabled.', username);
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const validity = pool.policy.TemporaryPasswordValidityDays;
      if (user.temporaryPasswordSetAt !== undefined && ctx.state.clock.now() > user.temporaryPasswordSetAt + validity * DAY_MS) {
        return again('Temporary password has expired and must be reset by an administrator.', username);
      }
      ix.passwordChange = { username: user.username, sub: user.sub };
      hosted.interactions.set(id, ix, INTERACTION_TTL_MS);
      sendHtml(rc.res, 200, newPasswordPage({
        action: `/${pool.id}/new-password`, interaction: id, csrf: ix.csrf, clientName: client.clientName, username: user.username,
      }), formPageHeaders());
      return;
    }
    issueCode(ctx, hosted, rc.res, id, ix, user);
  };
}

export function handleNewPassword(ctx: UserPoolContext, hosted: HostedState) {
  return async (rc: RequestContext): Promise<void> => {
    const l = await load(ctx, hosted, rc);
    if (!l || !l.ix.passwordChange) return expired(rc.res);
    const { pool, client, id, ix, form } = l;
    const pending = ix.passwordChange!;
    const user = ctx.state.findUser(pool, pending.username);
    if (!user || user.sub !== pending.sub || user.status !== 'FORCE_CHANGE_PASSWORD' || !user.enabled) return expired(rc.res);
    const again = (error: string) => sendHtml(rc.res, 200, newPasswordPage({
      action: `/${pool.id}/new-password`, interaction: id, csrf: ix.csrf, clientName: client.clientName, username: user.username, error,
    }), formPageHeaders());

    const password = form.get('new_password') ?? '';
    if (password === '') return again('Enter a new password.');
    if (password !== (form.get('confirm_password') ?? '')) return again('The passwords do not match.');
    try {
      await setPassword(ctx, pool, user, password, true);
    } catch (err) {
      // The policy's own message, e.g. "Password did not conform with policy: Password not long enough".
      if (err instanceof CognitoError && err.type === 'InvalidPasswordException') return again(err.message);
      throw err;
    }
    await ctx.state.commit();
    issueCode(ctx, hosted, rc.res, id, ix, user);
  };
}

function issueCode(ctx: UserPoolContext, hosted: HostedState, res: ServerResponse, id: string, ix: Interaction, user: UserRecord): void {
  hosted.interactions.delete(id);
  const code = randomToken(32);
  hosted.codes.set(code, { request: ix.request, username: user.username, sub: user.sub, authTime: epochSeconds(ctx.state.clock.now()) }, CODE_TTL_MS);
  redirectWith(res, ix.request.redirectUri, { code, state: ix.request.state });
}
