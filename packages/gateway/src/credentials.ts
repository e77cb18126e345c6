import type { UserBinding } from '@mandate/identity';
import type { GatewayEnv } from './env.ts';
import type { GatewayDoc, TargetCredential } from './model.ts';
import type { UpstreamAuth } from './upstream/pool.ts';

export type UpstreamCredential = { auth: UpstreamAuth } | { consent: { authorizationUrl: string } };

const NO_AUTH: UpstreamAuth = Object.freeze({ headers: {}, query: {} }) as UpstreamAuth;

/**
 * What a call to a target carries, for one user: nothing, the gateway's API key or client-credentials
 * token, or the user's own token from the vault (USER_FEDERATION, through the gateway's workload
 * identity). When the user has not consented yet, where to send them. The token goes only upstream:
 * never into a response, a log line or the model's context.
 */
export async function upstreamCredential(env: GatewayEnv, gw: GatewayDoc, cred: TargetCredential, user: UserBinding | undefined, options: { reconsent?: boolean } = {}): Promise<UpstreamCredential> {
  switch (cred.kind) {
    case 'none':
      return { auth: NO_AUTH };
    case 'apikey': {
      const key = await env.identity.resourceApiKey(cred.providerName);
      const value = cred.prefix === undefined ? key : `${cred.prefix} ${key}`;
      return { auth: cred.location === 'HEADER' ? { headers: { [cred.parameterName]: value }, query: {} } : { headers: {}, query: { [cred.parameterName]: value } } };
    }
    case 'oauth2': {
      if (cred.flow === 'USER_FEDERATION' && !user) return { auth: NO_AUTH };
      const out = await env.identity.resourceToken({
        workloadName: gw.workloadName, user: user ?? { kind: 'none' }, providerName: cred.providerName, scopes: cred.scopes, flow: cred.flow, customParameters: cred.customParameters,
        ...(options.reconsent ? { forceAuthentication: true } : {}),
      });
      if ('accessToken' in out) return { auth: { headers: { authorization: `Bearer ${out.accessToken}` }, query: {} } };
      if ('noToken' in out) throw new Error('unreachable: a consent was asked for');
      return { consent: { authorizationUrl: out.authorizationUrl } };
    }
  }
}

/**
 * The credential for a listing (DYNAMIC targets' tools/list): the same, but a user without a usable
 * token yet gets undefined and no consent session is started (that would write one per tools/list).
 */
export async function listingCredential(env: GatewayEnv, gw: GatewayDoc, cred: TargetCredential, user: UserBinding): Promise<UpstreamAuth | undefined> {
  if (cred.kind !== 'oauth2' || cred.flow !== 'USER_FEDERATION') {
    const out = await upstreamCredential(env, gw, cred, user);
    return 'auth' in out ? out.auth : undefined;
  }
  const out = await env.identity.resourceToken({
    workloadName: gw.workloadName, user, providerName: cred.providerName, scopes: cred.scopes, flow: cred.flow, customParameters: cred.customParameters, startConsent: false,
  });
  return 'accessToken' in out ? { headers: { authorization: `Bearer ${out.accessToken}` }, query: {} } : undefined;
}
