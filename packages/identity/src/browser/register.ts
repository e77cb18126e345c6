import { z } from 'zod';
import { redirect, type Router } from '@mandate/http';
import { defineRoute, registerRoutes } from '@mandate/edge';
import type { IdentityServices } from '../services.ts';
import { providerAuthorizationUrl } from '../flows/authorize.ts';
import { handleCallback } from '../flows/callback.ts';
import { invalidSession, loadSessionByRequestUri } from '../sessions/sessions.ts';
import { sendErrorPage } from './page.ts';
import { handleReturnPage, handleReturnLogin } from './return-page.ts';
import { FORM_BODY_LIMIT, handleUserPoolForm } from './user-pool-login.ts';

/** A required query or form value; its message is what the person in the browser reads. */
const value = (message: string, max: number) => z.string({ error: message }).min(1, { error: message }).max(max, { error: message });

/**
 * The browser legs of 3-legged OAuth, which are not SigV4 calls:
 *   GET /identities/oauth2/authorize?request_uri=…   the URL handed to the user; redirects to the provider
 *   GET /identities/oauth2/callback/{callbackId}      the provider's redirect back (the provider's callbackUrl)
 *   GET /identities/oauth2/return[/login]             the built-in return page that verifies the user itself
 *   POST /identities/oauth2/return/login              its sign-in form for user-pool issuers
 * Their inputs are validated here, once; every failure becomes the same plain error page.
 */
export function registerOauthBrowserRoutes(router: Router, services: IdentityServices): Router {
  return registerRoutes(router, [
    defineRoute({
      method: 'GET',
      path: '/identities/oauth2/authorize',
      query: z.object({ request_uri: value('The authorization URL has no request_uri.', 512) }),
      async handle({ query, rc }) {
        const s = await loadSessionByRequestUri(services, query.request_uri);
        // Re-opening the URL before the provider answered is tolerated (RFC 9126 §4: prefetchers, reloads); afterwards it is spent.
        if (!s || (s.doc.status !== 'PENDING' && s.doc.status !== 'AUTHORIZING')) throw invalidSession();
        redirect(rc.res, await providerAuthorizationUrl(services, s));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/identities/oauth2/callback/:callbackId',
      // The rest of the response (code, error, iss) is the protocol library's to check (RFC 6749 §4.1.2, RFC 9207).
      query: z.object({ state: value('The authorization response has no valid state.', 256) }),
      async handle({ query, rc }) {
        redirect(rc.res, await handleCallback(services, rc.params.callbackId!, query.state, rc.query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/identities/oauth2/return',
      query: z.object({ session_id: value('Invalid or expired session.', 512) }),
      handle: ({ query, rc }) => handleReturnPage(services, rc, query.session_id),
    }),
    defineRoute({
      method: 'GET',
      path: '/identities/oauth2/return/login',
      query: z.object({ state: value('The sign-in response has no valid state.', 256) }),
      handle: ({ query, rc }) => handleReturnLogin(services, rc, query.state),
    }),
    defineRoute({
      method: 'POST',
      path: '/identities/oauth2/return/login',
      form: {
        limit: FORM_BODY_LIMIT,
        schema: z.object({
          state: value('The sign-in form has no valid state.', 256),
          username: value('Enter a username and a password.', 256),
          password: value('Enter a username and a password.', 1024),
        }),
      },
      handle: ({ form, rc }) => handleUserPoolForm(services, rc, form),
    }),
  ], (rc, err) => sendErrorPage(rc.res, err, rc.requestId, services.logger));
}
