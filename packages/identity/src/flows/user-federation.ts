import * as o from 'oauth4webapi';
import { MandateError } from '@mandate/core';
import type { IdentityServices } from '../services.ts';
import type { WorkloadIdentityDoc } from '../model.ts';
import type { VerifiedWorkloadToken } from '../workload/token.ts';
import { userKey } from '../workload/token.ts';
import { readVault, type VaultKey } from '../vault/tokens.ts';
import { usableAccessToken } from './refresh.ts';
import type { ProviderClient } from './provider-client.ts';
import { authorizationRequestUriOf, createSession, invalidSession, loadSession, sessionIdOf, sessionUriOf, type AuthSessionDoc, type LoadedSession } from '../sessions/sessions.ts';
import { prepareWait } from './wait.ts';
import { checkPollRate } from './poll-limit.ts';
import { scopesKey } from '../model.ts';

/** The built-in return page (browser/return-page.ts): put it in allowedResourceOauth2ReturnUrls to let Mandate verify the user itself. */
export function builtInReturnUrl(services: IdentityServices): string {
  return `${services.config.publicUrl}/identities/oauth2/return`;
}

export interface UserFederationRequest {
  scopes: string[];
  sessionUri?: string | undefined;
  resourceOauth2ReturnUrl?: string | undefined;
  forceAuthentication?: boolean | undefined;
  customParameters?: Record<string, string> | undefined;
  customState?: string | undefined;
  resources?: string[] | undefined;
  audiences?: string[] | undefined;
  /** Mandate's wait extension: block up to this many ms for the session to change. */
  waitMs?: number | undefined;
}

export interface Oauth2TokenResult {
  accessToken?: string;
  authorizationUrl?: string;
  sessionUri?: string;
  sessionStatus?: 'IN_PROGRESS' | 'FAILED';
}

/**
 * The return URL must be one of the workload's registered URLs, by exact string comparison (RFC 9700
 * §4.1.3, A.1 item 3). Omitted, it defaults to Mandate's built-in return page when the workload allows it.
 */
export function resolveReturnUrl(services: IdentityServices, workload: WorkloadIdentityDoc, requested: string | undefined): string {
  const allowed = workload.allowedResourceOauth2ReturnUrls ?? [];
  if (requested !== undefined) {
    if (!allowed.includes(requested)) {
      throw new MandateError('validation', `resourceOauth2ReturnUrl is not one of the allowedResourceOauth2ReturnUrls of workload identity ${workload.name}.`, {
        reason: 'FieldValidationFailed',
        fieldList: [{ name: 'resourceOauth2ReturnUrl', message: 'must exactly match one of the workload identity\'s allowedResourceOauth2ReturnUrls' }],
      });
    }
    return requested;
  }
  const builtIn = builtInReturnUrl(services);
  if (allowed.includes(builtIn)) return builtIn;
  throw new MandateError('validation', `USER_FEDERATION needs resourceOauth2ReturnUrl: workload identity ${workload.name} must register a return URL (or ${builtIn}) in allowedResourceOauth2ReturnUrls.`, {
    reason: 'FieldValidationFailed',
    fieldList: [{ name: 'resourceOauth2ReturnUrl', message: 'required unless the built-in return page is allowed' }],
  });
}

function authorizationUrlFor(services: IdentityServices, doc: AuthSessionDoc): string {
  return `${services.config.publicUrl}/identities/oauth2/authorize?request_uri=${encodeURIComponent(authorizationRequestUriOf(doc))}`;
}

function inProgress(services: IdentityServices, doc: AuthSessionDoc): Oauth2TokenResult {
  return { authorizationUrl: authorizationUrlFor(services, doc), sessionUri: sessionUriOf(doc.sessionId), sessionStatus: 'IN_PROGRESS' };
}

/** GetResourceOauth2Token with oauth2Flow USER_FEDERATION: the vault, a refresh, a new session, or a poll. */
export async function userFederation(
  services: IdentityServices,
  pc: ProviderClient,
  wat: VerifiedWorkloadToken,
  workload: WorkloadIdentityDoc,
  req: UserFederationRequest,
): Promise<Oauth2TokenResult> {
  if (wat.user.kind === 'none') {
    throw new MandateError('validation', 'USER_FEDERATION needs a workload access token bound to a user (GetWorkloadAccessTokenForJWT or ForUserId).');
  }
  const key: VaultKey = { workloadName: wat.workloadName, user: wat.user, providerName: pc.doc.name, scopes: req.scopes };
  if (req.sessionUri !== undefined) return poll(services, key, req);

  const returnUrl = resolveReturnUrl(services, workload, req.resourceOauth2ReturnUrl);
  if (!req.forceAuthentication) {
    const token = await usableAccessToken(services, pc, key);
    if (token) return { accessToken: token };
  }
  const init: Parameters<typeof createSession>[1] = {
    workloadName: wat.workloadName,
    user: wat.user,
    providerName: pc.doc.name,
    scopes: req.scopes,
    returnUrl,
    codeVerifier: o.generateRandomCodeVerifier(),
    customState: req.customState,
  };
  if (req.customParameters) init.customParameters = req.customParameters;
  if (req.resources?.length) init.resources = req.resources;
  if (req.audiences?.length) init.audiences = req.audiences;
  const doc = await createSession(services, init);
  services.logger.info('authorization session started', { workload: wat.workloadName, provider: pc.doc.name });
  return inProgress(services, doc);
}

/**
 * A poll answers from the session only, and only to the same workload + user that started it (A.2 item 18):
 * 200 without a token while in progress, the token once completed, an error once failed (the TS SDK ignores
 * sessionStatus FAILED and would otherwise poll for ten minutes).
 */
async function poll(services: IdentityServices, key: VaultKey, req: UserFederationRequest): Promise<Oauth2TokenResult> {
  const sessionId = sessionIdOf(req.sessionUri!);
  if (!sessionId) throw invalidSession();
  // Keyed by who polls, so nobody else can exhaust the legitimate poller's allowance.
  if (!req.waitMs) checkPollRate(services, `${sessionId}\u0000${key.workloadName}\u0000${userKey(key.user)}`);
  const check = (s: LoadedSession | undefined): AuthSessionDoc => {
    if (!s) throw invalidSession();
    const d = s.doc;
    if (d.workloadName !== key.workloadName || userKey(d.user) !== userKey(key.user) || d.providerName !== key.providerName) throw invalidSession();
    if (scopesKey(d.scopes) !== scopesKey(key.scopes)) {
      throw new MandateError('validation', 'The scopes of this poll differ from the scopes the session was started with.');
    }
    return d;
  };
  // Waiting is real time (timers), not the service clock, which tests may hold still.
  const deadline = performance.now() + (req.waitMs ?? 0);
  for (;;) {
    // Subscribe before reading, so a change between the read and the wait is not missed.
    const waiter = req.waitMs && req.waitMs > 0 ? await prepareWait(services, sessionId) : undefined;
    try {
      const d = check(await loadSession(services, sessionId));
      if (d.status === 'FAILED') throw new MandateError(d.failure?.code ?? 'access_denied', d.failure?.message ?? 'The authorization session failed.');
      if (d.status === 'COMPLETED') {
        const entry = await readVault(services, key);
        if (!entry) throw invalidSession();
        return { accessToken: entry.accessToken };
      }
      const left = deadline - performance.now();
      // Intermediate steps (browser opened the URL, consent given) do not end a wait: only a result does.
      if (!waiter || left <= 0) return inProgress(services, d);
      await waiter.wait(left);
    } finally {
      waiter?.cancel();
    }
  }
}
