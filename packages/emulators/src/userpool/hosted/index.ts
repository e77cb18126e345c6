import type { Router } from '@mandate/http';
import type { UserPoolContext } from '../protocol.ts';
import { handleAuthorize } from './authorize.ts';
import { handleLogin, handleNewPassword } from './login.ts';
import { newHostedState } from './store.ts';
import { handleToken } from './token-endpoint.ts';
import { handleRegister } from './register.ts';
import { handleUserInfo } from './userinfo.ts';

/**
 * Cognito's hosted sign-in ("managed login") for every pool. Real Cognito serves these on the pool's
 * domain (`https://<prefix>.auth.<region>.amazoncognito.com/oauth2/...`); the emulator has no domains,
 * so they hang off `${url}/{poolId}` next to the pool's discovery document, which advertises them.
 */
export function registerHostedSignIn(router: Router, ctx: UserPoolContext): void {
  const hosted = newHostedState(ctx.state.clock);
  router.add('GET', '/:poolId/oauth2/authorize', handleAuthorize(ctx, hosted));
  router.add('POST', '/:poolId/login', handleLogin(ctx, hosted));
  router.add('POST', '/:poolId/new-password', handleNewPassword(ctx, hosted));
  router.add('POST', '/:poolId/oauth2/token', handleToken(ctx, hosted));
  router.add('POST', '/:poolId/oauth2/register', handleRegister(ctx));
  router.add('GET', '/:poolId/oauth2/userInfo', handleUserInfo(ctx));
  router.add('POST', '/:poolId/oauth2/userInfo', handleUserInfo(ctx));
}

/** Where pool `poolId`'s hosted sign-in endpoints live. */
export const hostedEndpoints = (ctx: UserPoolContext, poolId: string) => {
  const base = `${ctx.url}/${poolId}`;
  return {
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    registration_endpoint: `${base}/oauth2/register`,
  };
};
