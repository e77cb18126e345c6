import { MandateError } from '@mandate/core';
import type { IdentityServices } from '../services.ts';

/**
 * Back-pressure on polls (A.2 item 18, cf. RFC 8628 §3.5 `slow_down`): each poller of a session may poll in a
 * burst of BURST, then about once per INTERVAL_MS; faster pollers get ThrottlingException (429, which the
 * AWS SDKs retry with backoff) instead of being silently slowed. The official SDKs poll every 5 s and
 * never hit it; a waiting poll (x-mandate-wait) is not limited, since it costs nothing while it waits.
 * Per instance and in memory: the limit protects this instance's store, and it forgets idle sessions.
 */
const BURST = 10;
const INTERVAL_MS = 500;

interface Bucket {
  tokens: number;
  at: number;
}

const buckets = new WeakMap<IdentityServices, Map<string, Bucket>>();

export function checkPollRate(services: IdentityServices, pollerKey: string): void {
  let m = buckets.get(services);
  if (!m) buckets.set(services, (m = new Map()));
  const now = performance.now();
  const b = m.get(pollerKey) ?? { tokens: BURST, at: now };
  b.tokens = Math.min(BURST, b.tokens + (now - b.at) / INTERVAL_MS);
  b.at = now;
  if (b.tokens < 1) {
    m.set(pollerKey, b);
    const waitMs = Math.ceil((1 - b.tokens) * INTERVAL_MS);
    throw new MandateError('throttled', `This session is polled too often; wait ${waitMs} ms between polls, or send x-mandate-wait to be answered when it changes.`, {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
    });
  }
  b.tokens -= 1;
  m.set(pollerKey, b);
  if (m.size > 10_000) {
    // Forget the oldest (idle) sessions; insertion order approximates age.
    for (const k of m.keys()) {
      m.delete(k);
      if (m.size <= 5_000) break;
    }
  }
}
