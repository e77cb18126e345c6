import { MandateError } from '@mandate/core';
import { StoreConflictError, type Store } from '@mandate/storage';
import { runtimeCollections as C, type RuntimeSessionDoc } from '../model.ts';

const denied = () => new MandateError('access_denied', 'This runtime session belongs to another user. Use a new runtime session id.');

/**
 * A runtime session belongs to whoever opened it (checklist: "each user sees its own session").
 * The binding is stored (shared by every Mandate process on the store) for the session's max lifetime;
 * another caller presenting the same session id is refused before any agent sees the request.
 */
export async function claimSession(store: Store, runtimeId: string, sessionId: string, owner: string, now: number, maxLifetimeMs: number): Promise<void> {
  const id = `${runtimeId}/${sessionId}`;
  const rec = await store.get<RuntimeSessionDoc>(C.runtimeSessions, id);
  if (rec) {
    if (rec.doc.owner !== owner) throw denied();
    return;
  }
  try {
    await store.insert<RuntimeSessionDoc>(C.runtimeSessions, id, { agentRuntimeId: runtimeId, runtimeSessionId: sessionId, owner, createdTime: now }, { expiresAt: now + maxLifetimeMs });
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
    // Two first requests raced: whoever inserted first owns it.
    const again = await store.get<RuntimeSessionDoc>(C.runtimeSessions, id);
    if (!again || again.doc.owner !== owner) throw denied();
  }
}

/** For StopRuntimeSession: the session must exist and belong to the caller. */
export async function assertSessionOwner(store: Store, runtimeId: string, sessionId: string, owner: string | undefined): Promise<void> {
  const rec = await store.get<RuntimeSessionDoc>(C.runtimeSessions, `${runtimeId}/${sessionId}`);
  if (!rec) throw new MandateError('not_found', `Runtime session ${sessionId} was not found.`);
  if (owner !== undefined && rec.doc.owner !== owner) throw denied();
}

export async function forgetSession(store: Store, runtimeId: string, sessionId: string): Promise<void> {
  await store.delete(C.runtimeSessions, `${runtimeId}/${sessionId}`);
}
