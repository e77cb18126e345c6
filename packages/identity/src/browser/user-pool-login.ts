import { MandateError, randomToken } from '@mandate/core';
import { escapeHtml, sendHtml, type RequestContext } from '@mandate/http';
import { collections } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { loadWorkload } from '../workload/access.ts';
import { invalidSession, loadSession } from '../sessions/sessions.ts';
import { finishBinding } from './return-page.ts';
import { page } from './page.ts';

/**
 * The built-in return page for a user-pool issuer (Cognito and Mandate's user-pool emulator have no
 * authorization endpoint, only the InitiateAuth API): Mandate shows a sign-in form, posts the credentials
 * to the pool's InitiateAuth (USER_PASSWORD_AUTH, a public app client: no client secret), and binds on the
 * (iss, sub) of the verified ID token. The pool's API endpoint is the issuer without its pool-id path
 * segment (`https://cognito-idp.<region>.amazonaws.com/<poolId>` → `https://cognito-idp.<region>.amazonaws.com/`).
 * The form is one-time (its state is consumed on submit) and the password never leaves this request.
 */
interface ReturnFormDoc {
  kind: 'return-form';
  sessionId: string;
  discoveryUrl: string;
  clientId: string;
}

const FORM_PREFIX = 'rf.';
export const FORM_BODY_LIMIT = 16 * 1024;

export async function showUserPoolForm(services: IdentityServices, rc: RequestContext, sessionId: string, sessionExpiresAt: number, discoveryUrl: string, clientId: string, notice?: string): Promise<void> {
  const state = FORM_PREFIX + randomToken(32);
  const doc: ReturnFormDoc = { kind: 'return-form', sessionId, discoveryUrl, clientId };
  await services.store.insert(collections.authStates, state, doc, { expiresAt: sessionExpiresAt });
  sendHtml(rc.res, notice ? 401 : 200, page('Confirm it is you', `${notice ? `<p role="alert">${escapeHtml(notice)}</p>` : ''}<p>Sign in with the account you use with this agent to finish connecting it.</p>
<form method="post" action="${escapeHtml(`${services.config.publicUrl}/identities/oauth2/return/login`)}">
<input type="hidden" name="state" value="${escapeHtml(state)}">
<p><label>Username <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p></form>`));
}

async function initiateAuth(services: IdentityServices, discoveryUrl: string, clientId: string, username: string, password: string): Promise<string> {
  const issuer = discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, '');
  const endpoint = issuer.slice(0, issuer.lastIndexOf('/') + 1);
  let res: Response;
  try {
    res = await services.fetch(endpoint, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
    });
  } catch (err) {
    throw new MandateError('unavailable', 'The user pool could not be reached to sign you in.', { cause: err });
  }
  const out = (await res.json().catch(() => ({}))) as { AuthenticationResult?: { IdToken?: string }; ChallengeName?: string; __type?: string };
  if (res.status !== 200) {
    const type = String(out.__type ?? '').split('#').pop();
    throw new MandateError('access_denied', type === 'NotAuthorizedException' || type === 'UserNotFoundException' ? 'Incorrect username or password.' : 'The user pool refused the sign-in.');
  }
  if (!out.AuthenticationResult?.IdToken) {
    throw new MandateError('access_denied', `The user pool asks for another step (${out.ChallengeName ?? 'unknown'}); finish it in the application first.`);
  }
  return out.AuthenticationResult.IdToken;
}

/** The posted sign-in form, as the route validated it (browser/register.ts). */
export interface UserPoolForm {
  state: string;
  username: string;
  password: string;
}

export async function handleUserPoolForm(services: IdentityServices, rc: RequestContext, form: UserPoolForm): Promise<void> {
  const { state, username, password } = form;
  if (!state.startsWith(FORM_PREFIX)) throw new MandateError('validation', 'The sign-in form has no valid state.');
  const rec = await services.store.get<ReturnFormDoc>(collections.authStates, state);
  if (!rec || rec.doc.kind !== 'return-form' || !(await services.store.delete(collections.authStates, state, rec.version))) {
    throw new MandateError('access_denied', 'The sign-in form is unknown, expired or was already used.');
  }
  const s = await loadSession(services, rec.doc.sessionId);
  if (!s || s.doc.status !== 'AWAITING_BINDING') throw invalidSession();
  let idToken: string;
  try {
    idToken = await initiateAuth(services, rec.doc.discoveryUrl, rec.doc.clientId, username, password);
  } catch (err) {
    // A wrong password gets a fresh one-time form, not a dead end.
    if (err instanceof MandateError && err.code === 'access_denied') {
      return showUserPoolForm(services, rc, s.doc.sessionId, s.doc.expiresAt, rec.doc.discoveryUrl, rec.doc.clientId, err.message);
    }
    throw err;
  }
  await finishBinding(services, rc, s, await loadWorkload(services, s.doc.workloadName), rec.doc.discoveryUrl, rec.doc.clientId, idToken);
}
