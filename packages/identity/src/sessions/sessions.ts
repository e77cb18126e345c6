import { MandateError, randomToken } from '@mandate/core';
import { collections, type UserBinding } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import type { SealedSecret } from '@mandate/core';
import type { ProviderTokens } from '../model.ts';

/**
 * Authorization sessions (security checklist A.2): the PAR-style record behind a `sessionUri`. It binds
 * (workload, user, provider, scopes, return URL, PKCE verifier, state, nonce, customState) and walks
 *
 *   PENDING --authorize--> AUTHORIZING --callback+code exchange--> AWAITING_BINDING --Complete--> COMPLETED
 *        \___________________________________________________________________________--> FAILED
 *
 * Every transition is a compare-and-swap on the record version, so a session completes at most once
 * however many callbacks or completions race (A.2 item 13). Records expire 10 minutes after creation.
 */
export const SESSION_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
export const SESSION_LIFETIME_MS = 10 * 60_000;

export type SessionStatus = 'PENDING' | 'AUTHORIZING' | 'AWAITING_BINDING' | 'COMPLETED' | 'FAILED';

export interface AuthSessionDoc {
  sessionId: string;
  workloadName: string;
  user: UserBinding;
  providerName: string;
  /** The scopes the agent asked for (the vault key). */
  scopes: string[];
  returnUrl: string;
  customState?: SealedSecret;
  customParameters?: Record<string, string>;
  resources?: string[];
  audiences?: string[];
  /**
   * The `request_uri` of the authorization URL: random and distinct from the session id, so whoever holds the
   * URL (a user it was forwarded to, or the user who forwarded it to a victim) cannot learn the sessionUri that
   * completion and polling need. Only the browser that went through consent receives it (as `session_id`).
   * Absent on sessions created before it existed (their URL carries the session id).
   */
  authHandle?: string;
  state: string;
  nonce: string;
  codeVerifier: SealedSecret;
  status: SessionStatus;
  failure?: { code: 'access_denied' | 'validation'; message: string };
  /** Tokens from the code exchange, held sealed until the binding is confirmed. */
  pending?: { accessToken: SealedSecret; refreshToken?: SealedSecret; expiresAt?: number };
  createdTime: number;
  expiresAt: number;
}

export interface LoadedSession {
  doc: AuthSessionDoc;
  version: number;
}

const ctx = (sessionId: string, field: string) => ({ kind: 'auth-session', sessionId, field });

export function sessionUriOf(sessionId: string): string {
  return SESSION_URI_PREFIX + sessionId;
}

/** The id part of a session URI; undefined when the value is not one of ours (we never dereference others, A.2 item 14). */
export function sessionIdOf(sessionUri: string): string | undefined {
  if (typeof sessionUri !== 'string' || !sessionUri.startsWith(SESSION_URI_PREFIX)) return undefined;
  const id = sessionUri.slice(SESSION_URI_PREFIX.length);
  return /^[A-Za-z0-9_-]{43}$/.test(id) ? id : undefined;
}

export const invalidSession = (): MandateError => new MandateError('session_invalid', 'Invalid or expired session.');

export async function createSession(
  services: IdentityServices,
  init: Omit<AuthSessionDoc, 'sessionId' | 'authHandle' | 'state' | 'nonce' | 'codeVerifier' | 'status' | 'createdTime' | 'expiresAt' | 'customState'> & {
    customState?: string | undefined;
    codeVerifier: string;
  },
): Promise<AuthSessionDoc> {
  const sessionId = randomToken(32); // 256 bits (RFC 6749 §10.10, RFC 9126 §2.2)
  const now = services.clock.now();
  const { customState, codeVerifier, ...rest } = init;
  const doc: AuthSessionDoc = {
    ...rest,
    sessionId,
    authHandle: randomToken(32),
    state: randomToken(32),
    nonce: randomToken(24),
    codeVerifier: await services.secrets.seal(codeVerifier, ctx(sessionId, 'code_verifier')),
    status: 'PENDING',
    createdTime: now,
    expiresAt: now + SESSION_LIFETIME_MS,
  };
  if (customState !== undefined) doc.customState = await services.secrets.seal(customState, ctx(sessionId, 'custom_state'));
  await services.store.transaction(async (tx) => {
    await tx.insert(collections.authSessions, sessionId, doc, { expiresAt: doc.expiresAt });
    await tx.insert(collections.authStates, doc.state, { sessionId }, { expiresAt: doc.expiresAt });
    await tx.insert(collections.authHandles, doc.authHandle!, { sessionId }, { expiresAt: doc.expiresAt });
  });
  return doc;
}

/** The `request_uri` of a session's authorization URL (see AuthSessionDoc.authHandle). */
export function authorizationRequestUriOf(doc: AuthSessionDoc): string {
  return SESSION_URI_PREFIX + (doc.authHandle ?? doc.sessionId);
}

/** The session an authorization URL's `request_uri` opens; a sessionUri opens only sessions that predate handles. */
export async function loadSessionByRequestUri(services: IdentityServices, requestUri: string): Promise<LoadedSession | undefined> {
  const id = sessionIdOf(requestUri);
  if (!id) return undefined;
  const h = await services.store.get<{ sessionId: string }>(collections.authHandles, id);
  const s = await loadSession(services, h ? h.doc.sessionId : id);
  if (!s || (h ? s.doc.authHandle !== id : s.doc.authHandle !== undefined)) return undefined;
  return s;
}

export async function loadSession(services: IdentityServices, sessionId: string): Promise<LoadedSession | undefined> {
  const rec = await services.store.get<AuthSessionDoc>(collections.authSessions, sessionId);
  if (!rec || rec.doc.expiresAt <= services.clock.now()) return undefined;
  return { doc: rec.doc, version: rec.version };
}

/** Compare-and-swap to a new document; false when another request changed the session first. */
export async function swapSession(services: IdentityServices, s: LoadedSession, next: AuthSessionDoc): Promise<boolean> {
  return (await services.store.update(collections.authSessions, next.sessionId, next, s.version, { expiresAt: next.expiresAt })) !== undefined;
}

/** Marks a session failed (unless it already finished) and wakes its waiters. */
export async function failSession(services: IdentityServices, s: LoadedSession, failure: NonNullable<AuthSessionDoc['failure']>): Promise<boolean> {
  if (s.doc.status === 'COMPLETED' || s.doc.status === 'FAILED') return false;
  const { pending: _drop, ...rest } = s.doc;
  const ok = await swapSession(services, s, { ...rest, status: 'FAILED', failure });
  if (ok) await notifySession(services, s.doc.sessionId);
  return ok;
}

export async function openCodeVerifier(services: IdentityServices, doc: AuthSessionDoc): Promise<string> {
  return services.secrets.open(doc.codeVerifier, ctx(doc.sessionId, 'code_verifier'));
}

export async function openCustomState(services: IdentityServices, doc: AuthSessionDoc): Promise<string | undefined> {
  return doc.customState ? services.secrets.open(doc.customState, ctx(doc.sessionId, 'custom_state')) : undefined;
}

export async function sealPending(services: IdentityServices, sessionId: string, t: ProviderTokens): Promise<NonNullable<AuthSessionDoc['pending']>> {
  const p: NonNullable<AuthSessionDoc['pending']> = { accessToken: await services.secrets.seal(t.accessToken, ctx(sessionId, 'access_token')) };
  if (t.refreshToken) p.refreshToken = await services.secrets.seal(t.refreshToken, ctx(sessionId, 'refresh_token'));
  if (t.expiresAt !== undefined) p.expiresAt = t.expiresAt;
  return p;
}

export async function openPending(services: IdentityServices, doc: AuthSessionDoc): Promise<ProviderTokens> {
  if (!doc.pending) throw invalidSession();
  const t: ProviderTokens = { accessToken: await services.secrets.open(doc.pending.accessToken, ctx(doc.sessionId, 'access_token')) };
  if (doc.pending.refreshToken) t.refreshToken = await services.secrets.open(doc.pending.refreshToken, ctx(doc.sessionId, 'refresh_token'));
  if (doc.pending.expiresAt !== undefined) t.expiresAt = doc.pending.expiresAt;
  return t;
}

/**
 * The pub/sub channel session changes are announced on, payload = session id. One channel for all sessions
 * (PostgreSQL LISTEN/NOTIFY channel names are identifiers; one LISTEN per instance, not per session).
 */
export const SESSION_CHANNEL = 'mandate_auth_session';

export async function notifySession(services: IdentityServices, sessionId: string): Promise<void> {
  try {
    await services.store.publish(SESSION_CHANNEL, sessionId);
  } catch (err) {
    // Waiters fall back to re-reading the session when their wait ends; a lost notification only costs latency.
    services.logger.warn('could not publish session change', { error: err });
  }
}
