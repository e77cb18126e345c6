import { MandateError } from '@mandate/core';
import { redirect, type RequestContext, type Router } from '@mandate/http';
import type { IdentityServices } from '../services.ts';
import { providerAuthorizationUrl } from '../flows/authorize.ts';
import { handleCallback } from '../flows/callback.ts';
import { invalidSession, loadSessionByRequestUri } from '../sessions/sessions.ts';
import { sendErrorPage } from './page.ts';
import { handleReturnPage, handleReturnLogin } from './return-page.ts';
import { handleUserPoolForm } from './user-pool-login.ts';

/**
 * The browser legs of 3-legged OAuth, which are not SigV4 calls:
 *   GET /identities/oauth2/authorize?request_uri=…   the URL handed to the user; redirects to the provider
 *   GET /identities/oauth2/callback/{callbackId}      the provider's redirect back (the provider's callbackUrl)
 *   GET /identities/oauth2/return[/login]             the built-in return page that verifies the user itself
 *   POST /identities/oauth2/return/login              its sign-in form for user-pool issuers
 */
export function registerOauthBrowserRoutes(router: Router, services: IdentityServices): Router {
  const wrap = (fn: (rc: RequestContext) => Promise<void>, readsBody = false) => async (rc: RequestContext) => {
    if (!readsBody) rc.req.resume();
    try {
      await fn(rc);
    } catch (err) {
      sendErrorPage(rc.res, err, rc.requestId, services.logger);
    }
  };
  router.add('GET', '/identities/oauth2/authorize', wrap(async (rc) => {
    const requestUri = rc.query.get('request_uri');
    if (!requestUri) throw new MandateError('validation', 'The authorization URL has no request_uri.');
    const s = await loadSessionByRequestUri(services, requestUri);
    // Re-opening the URL before the provider answered is tolerated (RFC 9126 §4: prefetchers, reloads); afterwards it is spent.
    if (!s || (s.doc.status !== 'PENDING' && s.doc.status !== 'AUTHORIZING')) throw invalidSession();
    redirect(rc.res, await providerAuthorizationUrl(services, s));
  }));
  router.add('GET', '/identities/oauth2/callback/:callbackId', wrap(async (rc) => {
    redirect(rc.res, await handleCallback(services, rc.params.callbackId!, rc.query));
  }));
  router.add('GET', '/identities/oauth2/return', wrap((rc) => handleReturnPage(services, rc)));
  router.add('GET', '/identities/oauth2/return/login', wrap((rc) => handleReturnLogin(services, rc)));
  router.add('POST', '/identities/oauth2/return/login', wrap((rc) => handleUserPoolForm(services, rc), true));
  return router;
}
