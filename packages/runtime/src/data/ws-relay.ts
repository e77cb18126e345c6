import type { WebSocket } from 'ws';

/** Pending sends past which the sending side is paused (backpressure); it resumes below the low mark. */
const HIGH_WATER = 64;
const LOW_WATER = 16;

export interface RelayHooks {
  /** Called for every message either way (the session is not idle). */
  activity(): void;
  /** Called once when both sides are closed. */
  done(): void;
}

/**
 * Codes a close frame may carry on the wire (RFC 6455 §7.4.1-2): 1005, 1006 and 1015 only describe what a
 * peer saw, so they become 1000 (no status given) or 1011 (the peer vanished, or its TLS failed) when relayed.
 */
export function relayableCode(code: number): number {
  if (code === 1005) return 1000;
  if (code === 1006 || code === 1015) return 1011;
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return 1011;
}

/** A close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5: control frames carry ≤ 125 bytes). */
function reasonText(reason: Buffer | string): string {
  const b = Buffer.isBuffer(reason) ? reason : Buffer.from(reason);
  if (b.length <= 123) return b.toString('utf8');
  return b.subarray(0, 123).toString('utf8').replace(/\uFFFD$/, '');
}

/**
 * Relays frames between the caller's WebSocket and the agent's, both ways: text stays text, binary stays
 * binary; each side is paused while the other has too many sends pending, so a fast producer cannot fill
 * Mandate's memory with a slow consumer's backlog; a close on one side closes the other with the same
 * code and reason (translated where the code cannot be sent).
 */
export function relay(client: WebSocket, agent: WebSocket, hooks: RelayHooks): void {
  pipe(client, agent, hooks);
  pipe(agent, client, hooks);
  let closed = 0;
  const onClose = (other: WebSocket) => (code: number, reason: Buffer) => {
    if (other.readyState === other.OPEN) other.close(relayableCode(code), reasonText(reason));
    else if (other.readyState === other.CONNECTING) other.terminate();
    if (++closed === 2) hooks.done();
  };
  client.on('close', onClose(agent));
  agent.on('close', onClose(client));
  // An error (a protocol violation, a frame over maxPayload) is followed by 'close' with its code (1002, 1009).
  client.on('error', () => undefined);
  agent.on('error', () => undefined);
}

function pipe(from: WebSocket, to: WebSocket, hooks: RelayHooks): void {
  let pending = 0;
  let paused = false;
  from.on('message', (data, isBinary) => {
    hooks.activity();
    if (to.readyState !== to.OPEN) return;
    pending++;
    if (!paused && pending >= HIGH_WATER) {
      paused = true;
      from.pause();
    }
    to.send(data, { binary: isBinary }, () => {
      pending--;
      if (paused && pending <= LOW_WATER) {
        paused = false;
        from.resume();
      }
    });
  });
}
