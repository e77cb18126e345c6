import { MandateError } from '@mandate/core';
import type { UserBinding } from '../model.ts';
import type { CallerIdentity } from '@mandate/edge';
import type { IdentityServices } from '../services.ts';
import { userKey } from '../workload/token.ts';
import { assertCallerMayActFor, loadWorkload } from '../workload/access.ts';
import { collections } from '../model.ts';
import { putVaultRow, sealVaultDoc } from '../vault/tokens.ts';
import { verifyUserToken } from './user-jwt.ts';
import { failSession, invalidSession, loadSession, notifySession, openPending, sessionIdOf, type LoadedSession } from '../sessions/sessions.ts';

export type UserIdentifier = { userId: string; userToken?: undefined } | { userToken: string; userId?: undefined };

/** Resolves who the application says is signed in: a user id as given, or (iss, sub) of a verified user token. */
export async function bindingOf(services: IdentityServices, workloadName: string, id: UserIdentifier): Promise<UserBinding> {
  if (id.userId !== undefined) return { kind: 'userId', userId: id.userId };
  const workload = await loadWorkload(services, workloadName);
  const v = await verifyUserToken(services, id.userToken, workload.inboundJwt);
  return { kind: 'jwt', issuer: v.issuer, subject: v.subject };
}

/**
 * Session binding (A.2 item 15): the token reaches the vault only when the user confirmed by the application
 * is the user whose WAT started the flow, compared on (issuer, subject) or user id, not on the token string
 * (landscape pain #1). A mismatch fails the session for good, so the agent's poll gets an error and nothing
 * is stored for either user. The move to COMPLETED is a compare-and-swap: a double completion stores once.
 */
export async function completeSession(services: IdentityServices, s: LoadedSession, confirmed: UserBinding): Promise<void> {
  if (s.doc.status !== 'AWAITING_BINDING') throw invalidSession();
  if (userKey(confirmed) !== userKey(s.doc.user)) {
    services.logger.warn('session binding refused: the confirming user is not the user who started the flow', { workload: s.doc.workloadName, provider: s.doc.providerName });
    const message = 'The user who completed the authorization is not the user who started it.';
    await failSession(services, s, { code: 'access_denied', message });
    throw new MandateError('binding_mismatch', `${message} Nothing was stored.`);
  }
  const tokens = await openPending(services, s.doc);
  const { pending: _drop, ...rest } = s.doc;
  const key = { workloadName: s.doc.workloadName, user: s.doc.user, providerName: s.doc.providerName, scopes: s.doc.scopes };
  const row = await sealVaultDoc(services, key, tokens);
  await services.store.transaction(async (tx) => {
    const done = await tx.update(collections.authSessions, s.doc.sessionId, { ...rest, status: 'COMPLETED' }, s.version, { expiresAt: s.doc.expiresAt });
    if (!done) throw invalidSession();
    await putVaultRow(tx, key, row);
  });
  await notifySession(services, s.doc.sessionId);
  services.logger.info('authorization session completed', { workload: s.doc.workloadName, provider: s.doc.providerName });
}

/** CompleteResourceTokenAuth: only a key of the session's own workload (or admin) may complete it. */
export async function completeResourceTokenAuth(services: IdentityServices, caller: CallerIdentity, sessionUri: string, id: UserIdentifier): Promise<void> {
  const sessionId = sessionIdOf(sessionUri);
  const s = sessionId ? await loadSession(services, sessionId) : undefined;
  if (!s) throw invalidSession();
  try {
    assertCallerMayActFor(caller, s.doc.workloadName);
  } catch {
    throw invalidSession();
  }
  let confirmed: UserBinding;
  try {
    confirmed = await bindingOf(services, s.doc.workloadName, id);
  } catch (err) {
    if (err instanceof MandateError && err.code === 'not_found') throw invalidSession();
    // An unverifiable user token proves nobody: refuse without touching the session.
    throw new MandateError('access_denied', 'The user token could not be verified for this workload.');
  }
  await completeSession(services, s, confirmed);
}
