import { MandateError } from '@mandate/core';
import { collections, type UserBinding } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import { parseArn } from '../arns.ts';
import { loadWorkloadCached } from '../workload/access.ts';
import { WAT_LIFETIME_MS } from '../workload/token.ts';
import { readApiKey } from './api-key.ts';
import { getM2mToken } from './m2m.ts';
import { loadProvider, providerClient } from './provider-client.ts';
import { userFederation } from './user-federation.ts';
import { usableAccessToken } from './refresh.ts';

/**
 * Outbound credentials for another part of Mandate that calls a protected resource itself (the MCP
 * gateway): the same flows GetResourceOauth2Token and GetResourceApiKey run, for a workload identity that
 * part owns and a user it has already authenticated, so no workload access token travels in between.
 */
export interface CredentialProviderRef {
  kind: 'oauth2' | 'apikey';
  name: string;
}

/** Which credential provider of this server an ARN names; a foreign, malformed or unknown ARN is refused. */
export async function credentialProviderOf(services: IdentityServices, arn: string): Promise<CredentialProviderRef> {
  const t = parseArn(services.config, arn);
  if (!t || (t.kind !== 'oauth2' && t.kind !== 'apikey')) {
    throw new MandateError('validation', `${arn} is not the ARN of a credential provider of this server (${services.config.region}, ${services.config.accountId}).`);
  }
  if (t.kind === 'oauth2') await loadProvider(services, t.name);
  // Existence only: the key stays sealed until a call needs it.
  else if (!(await services.store.get(collections.apiKeyProviders, t.name))) throw new MandateError('not_found', `API key credential provider ${t.name} does not exist.`);
  return { kind: t.kind, name: t.name };
}

export interface ResourceTokenRequest {
  workloadName: string;
  user: UserBinding;
  providerName: string;
  scopes: string[];
  /** USER_FEDERATION: the user's own token from the vault (consent first); M2M: the client-credentials grant. */
  flow: 'USER_FEDERATION' | 'M2M';
  customParameters?: Record<string, string> | undefined;
  /** USER_FEDERATION: ask for consent again even though the vault holds a token (the resource refused it). */
  forceAuthentication?: boolean | undefined;
  /** USER_FEDERATION: false reads the vault only (a listing, not a call): no consent session is started. Default true. */
  startConsent?: boolean | undefined;
}

/**
 * The token; or where the user must go to consent (the session completes on the built-in return page); or,
 * with `startConsent: false`, that the vault holds no usable token for this user.
 */
export type ResourceToken = { accessToken: string } | { authorizationUrl: string; sessionUri: string } | { noToken: true };

export async function resourceToken(services: IdentityServices, req: ResourceTokenRequest): Promise<ResourceToken> {
  const pc = await providerClient(services, await loadProvider(services, req.providerName));
  if (req.flow === 'M2M') return { accessToken: await getM2mToken(services, pc, { scopes: req.scopes }) };
  if (req.startConsent === false) {
    if (req.user.kind === 'none') return { noToken: true };
    const token = await usableAccessToken(services, pc, { workloadName: req.workloadName, user: req.user, providerName: pc.doc.name, scopes: req.scopes });
    return token ? { accessToken: token } : { noToken: true };
  }
  const workload = await loadWorkloadCached(services, req.workloadName);
  const wat = { workloadName: req.workloadName, user: req.user, expiresAt: services.clock.now() + WAT_LIFETIME_MS };
  const out = await userFederation(services, pc, wat, workload, { scopes: req.scopes, customParameters: req.customParameters, forceAuthentication: req.forceAuthentication });
  if (out.accessToken) return { accessToken: out.accessToken };
  if (!out.authorizationUrl || !out.sessionUri) throw new MandateError('internal', 'A user-federation flow returned neither a token nor an authorization URL.');
  return { authorizationUrl: out.authorizationUrl, sessionUri: out.sessionUri };
}

export const resourceApiKey = (services: IdentityServices, providerName: string): Promise<string> => readApiKey(services, providerName);
