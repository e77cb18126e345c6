import type { AUTH_FLOWS } from './ops/clients.ts';
import { createClient } from './ops/clients.ts';
import { extendOAuthSettings } from './ops/oauth-settings.ts';
import { createPool, type PasswordPolicyInput } from './ops/pools.ts';
import { createUser, setPassword } from './ops/users.ts';
import { generatePassword } from './passwords.ts';
import type { UserPoolContext } from './protocol.ts';

export interface UserPoolSeedUser {
  username: string;
  password: string;
  attributes?: Record<string, string>;
  /** Default true: the user can sign in with `password` straight away. */
  permanent?: boolean;
}

export interface UserPoolSeedClient {
  name: string;
  generateSecret?: boolean;
  explicitAuthFlows: Array<(typeof AUTH_FLOWS)[number]>;
  /** Redirect URIs of the hosted sign-in; any turns the authorization code flow on (with COGNITO). */
  callbackUrls?: string[];
  /** AllowedOAuthScopes (`openid`, `email`, `phone`, `profile`, `aws.cognito.signin.user.admin`, `server/scope`). */
  allowedOAuthScopes?: string[];
}

export interface UserPoolSeedPool {
  name: string;
  passwordPolicy?: PasswordPolicyInput;
  clients: UserPoolSeedClient[];
  users: UserPoolSeedUser[];
}

export interface UserPoolSeed {
  pools: UserPoolSeedPool[];
}

/**
 * The seed notebook's pool: `DemoUserPool`, one public app client `DemoClient` (no secret) allowing
 * USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH and the OAuth scopes openid, email and profile (its
 * callback URLs are added by whoever knows them: `emulator.addCallbackUrl`), and users
 * testuser1/testuser2 with fresh random passwords. The passwords are only in the returned object.
 */
export function demoUserPoolSeed(): UserPoolSeed {
  return {
    pools: [{
      name: 'DemoUserPool',
      clients: [{
        name: 'DemoClient', generateSecret: false, explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        allowedOAuthScopes: ['openid', 'email', 'profile'],
      }],
      users: [
        { username: 'testuser1', password: generatePassword(), attributes: { email: 'testuser1@example.com', email_verified: 'true' } },
        { username: 'testuser2', password: generatePassword(), attributes: { email: 'testuser2@example.com', email_verified: 'true' } },
      ],
    }],
  };
}

/**
 * Makes the state contain the seed, matching pools and clients by name, so applying the same seed
 * after a restart creates nothing twice. Seed users get the seed's password every time (a dev
 * stack's seed is the source of truth for its demo users); other users are left alone. A seed
 * client's callback URLs and scopes are added to an existing client (nothing is removed).
 */
export async function applySeed(ctx: UserPoolContext, seed: UserPoolSeed): Promise<void> {
  for (const s of seed.pools) {
    const pool = Object.values(ctx.state.data.pools).find((p) => p.name === s.name) ?? (await createPool(ctx, s.name, s.passwordPolicy));
    for (const c of s.clients) {
      const client = Object.values(pool.clients).find((x) => x.clientName === c.name)
        ?? (await createClient(ctx, pool, { ClientName: c.name, GenerateSecret: c.generateSecret ?? false, ExplicitAuthFlows: c.explicitAuthFlows }));
      extendOAuthSettings(pool.id, client, { callbackUrls: c.callbackUrls, scopes: c.allowedOAuthScopes });
    }
    for (const u of s.users) {
      const user = ctx.state.findUser(pool, u.username) ?? (await createUser(ctx, pool, u.username, { ...(u.attributes ?? {}) }, u.password));
      await setPassword(ctx, pool, user, u.password, u.permanent ?? true);
    }
  }
  await ctx.state.commit();
}
