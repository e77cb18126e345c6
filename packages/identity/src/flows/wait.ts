import type { IdentityServices } from '../services.ts';
import { SESSION_CHANNEL } from '../sessions/sessions.ts';

/**
 * Mandate's wait extension (the `x-mandate-wait` header on GetResourceOauth2Token polls): a poll may block
 * until its session changes, so an agent resumes within milliseconds of consent instead of up to 5 s later
 * (landscape §4 item 7). Each service instance subscribes once to the session channel (PostgreSQL NOTIFY
 * when instances share a database) and wakes the waiters of the session named in each message.
 */
interface Hub {
  waiters: Map<string, Set<() => void>>;
  ready: Promise<unknown>;
}

const hubs = new WeakMap<IdentityServices, Hub>();

function hub(services: IdentityServices): Hub {
  let h = hubs.get(services);
  if (!h) {
    const waiters = new Map<string, Set<() => void>>();
    const ready = services.store
      .subscribe(SESSION_CHANNEL, (sessionId) => {
        const set = waiters.get(sessionId);
        if (set) for (const wake of [...set]) wake();
      })
      .catch((err: unknown) => {
        services.logger.warn('session change subscription failed; waits fall back to their timeout', { error: err });
        hubs.delete(services);
      });
    h = { waiters, ready };
    hubs.set(services, h);
  }
  return h;
}

/** Subscribes before the caller re-reads state, so no change between read and wait is missed. */
export async function prepareWait(services: IdentityServices, sessionId: string): Promise<{ wait(ms: number): Promise<void>; cancel(): void }> {
  const h = hub(services);
  await h.ready;
  let wake!: () => void;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  let set = h.waiters.get(sessionId);
  if (!set) h.waiters.set(sessionId, (set = new Set()));
  set.add(wake);
  const cancel = () => {
    set.delete(wake);
    if (set.size === 0 && h.waiters.get(sessionId) === set) h.waiters.delete(sessionId);
  };
  return {
    async wait(ms: number) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([woken, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      } finally {
        clearTimeout(timer);
        cancel();
      }
    },
    cancel,
  };
}
