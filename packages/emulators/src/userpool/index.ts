import { createServer } from 'node:http';
import { silentLogger, systemClock, type Clock, type Logger } from '@mandate/core';
import { closeServer, createListener, listen, Router } from '@mandate/http';
import { discoveryHandler, jwksHandler, oauthMetadataHandler } from './discovery.ts';
import { hostedEndpoints, registerHostedSignIn } from './hosted/index.ts';
import { extendOAuthSettings } from './ops/oauth-settings.ts';
import { renderCognitoError } from './errors.ts';
import { operations } from './ops/index.ts';
import { jsonProtocolHandler, type UserPoolContext } from './protocol.ts';
import { applySeed, type UserPoolSeed } from './seed.ts';
import { UserPoolState } from './state.ts';

export { operations as userPoolOperations } from './ops/index.ts';
export { demoUserPoolSeed } from './seed.ts';
export type { UserPoolSeed, UserPoolSeedClient, UserPoolSeedPool, UserPoolSeedUser } from './seed.ts';

export interface UserPoolEmulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** When set, state (pools, users, password hashes, signing keys, hashed refresh tokens) persists to `<dataDir>/userpool.json`. */
  dataDir?: string;
  /** Token issuer base; the issuer of pool P is `${issuerBase}/${P}`. Default: the emulator's own URL. */
  issuerBase?: string;
  /** Region prefix of new pool ids. Default `us-west-2`. */
  region?: string;
  /** Account id in pool ARNs. Default `000000000000`. */
  accountId?: string;
  seed?: UserPoolSeed;
  logger?: Logger;
  clock?: Clock;
}

export interface UserPoolClientInfo {
  clientId: string;
  clientName: string;
  clientSecret?: string;
  explicitAuthFlows: string[];
  /** The hosted sign-in settings (CallbackURLs, AllowedOAuthFlows, AllowedOAuthScopes). */
  callbackUrls: string[];
  allowedOAuthFlows: string[];
  allowedOAuthScopes: string[];
}

export interface UserPoolUserInfo {
  username: string;
  sub: string;
  status: string;
  enabled: boolean;
  attributes: Record<string, string>;
}

export interface UserPoolInfo {
  id: string;
  name: string;
  arn: string;
  issuer: string;
  discoveryUrl: string;
  /** The hosted sign-in's endpoints (also in the discovery document). */
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
  clients: UserPoolClientInfo[];
  users: UserPoolUserInfo[];
}

export interface UserPoolEmulator {
  url: string;
  /** A snapshot of every pool with its clients and users (no password hashes, no keys). */
  pools(): UserPoolInfo[];
  /** The pool whose name is `name` (the seed's `DemoUserPool`, say), or undefined. */
  poolByName(name: string): UserPoolInfo | undefined;
  issuer(poolId: string): string;
  discoveryUrl(poolId: string): string;
  /**
   * Adds `url` to the app client's CallbackURLs, as an administrator would in the console, turning
   * on the authorization code flow with the pool's own sign-in (and scopes openid, email and profile
   * when the client has none). Idempotent; validated like UpdateUserPoolClient (throws on a bad URL
   * or an unknown pool or client). Nothing else about the client changes.
   */
  addCallbackUrl(poolId: string, clientId: string, url: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a Cognito-style user-pool emulator: the `AWSCognitoIdentityProviderService` JSON 1.1 API on
 * `POST /`, each pool's OIDC discovery document and JWKS under `/{poolId}/.well-known/`, and its hosted
 * sign-in (authorization code + PKCE) under `/{poolId}/oauth2/`.
 * Admin operations need a SigV4 Authorization header, but the signature is NOT verified.
 */
export async function startUserPoolEmulator(options: UserPoolEmulatorOptions = {}): Promise<UserPoolEmulator> {
  const logger = options.logger ?? silentLogger;
  const state = await UserPoolState.open(options.dataDir, options.clock ?? systemClock, logger);
  const router = new Router();
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 30_000 }, createListener(router, { logger, renderError: renderCognitoError }));
  const listening = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const issuerBase = (options.issuerBase ?? listening.url).replace(/\/+$/, '');
  const ctx: UserPoolContext = {
    state,
    region: options.region ?? 'us-west-2',
    accountId: options.accountId ?? '000000000000',
    logger,
    issuer: (poolId) => `${issuerBase}/${poolId}`,
    url: listening.url,
  };
  router.add('POST', '/', jsonProtocolHandler(ctx, operations));
  router.add('GET', '/:poolId/.well-known/openid-configuration', discoveryHandler(ctx));
  router.add('GET', '/:poolId/.well-known/jwks.json', jwksHandler(ctx));
  router.add('GET', '/.well-known/oauth-authorization-server/:poolId', oauthMetadataHandler(ctx));
  registerHostedSignIn(router, ctx);
  try {
    if (options.seed) await applySeed(ctx, options.seed);
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  logger.info('user-pool emulator listening', { url: listening.url, persistent: options.dataDir !== undefined });

  const info = (id: string): UserPoolInfo => {
    const p = state.pool(id);
    const endpoints = hostedEndpoints(ctx, p.id);
    return {
      id: p.id,
      name: p.name,
      arn: p.arn,
      issuer: ctx.issuer(p.id),
      discoveryUrl: `${ctx.issuer(p.id)}/.well-known/openid-configuration`,
      authorizationEndpoint: endpoints.authorization_endpoint,
      tokenEndpoint: endpoints.token_endpoint,
      userInfoEndpoint: endpoints.userinfo_endpoint,
      clients: Object.values(p.clients).map((c) => ({
        clientId: c.clientId, clientName: c.clientName, explicitAuthFlows: [...c.explicitAuthFlows], ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
        callbackUrls: [...c.callbackUrls], allowedOAuthFlows: [...c.allowedOAuthFlows], allowedOAuthScopes: [...c.allowedOAuthScopes],
      })),
      users: Object.values(p.users).map((u) => ({ username: u.username, sub: u.sub, status: u.status, enabled: u.enabled, attributes: { ...u.attributes } })),
    };
  };
  return {
    url: listening.url,
    pools: () => Object.keys(state.data.pools).map(info),
    poolByName: (name) => {
      const p = Object.values(state.data.pools).find((x) => x.name === name);
      return p && info(p.id);
    },
    issuer: ctx.issuer,
    discoveryUrl: (poolId) => `${ctx.issuer(poolId)}/.well-known/openid-configuration`,
    addCallbackUrl: async (poolId, clientId, url) => {
      const pool = state.pool(poolId);
      const client = state.client(pool, clientId);
      if (extendOAuthSettings(pool.id, client, { callbackUrls: [url] })) {
        client.modifiedAt = state.clock.now();
        await state.commit();
      }
    },
    close: async () => {
      await closeServer(server);
      await state.flush();
    },
  };
}
