/**
 * Signatures seen within their validity window, so a captured request cannot be sent again. Bounded:
 * entries leave when their window closes (after which the clock-skew check rejects them anyway), and
 * when full the oldest entry is dropped first. In-memory per process: a replay to another instance
 * within the window is not caught (documented limit; the 15-minute window bounds it).
 */
export class ReplayCache {
  readonly #max: number;
  readonly #seen = new Map<string, number>();

  constructor(maxEntries = 100_000) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Records `key` until `expiresAt`; returns false when it was already recorded and still live. */
  add(key: string, expiresAt: number, now: number): boolean {
    const prev = this.#seen.get(key);
    if (prev !== undefined && prev > now) return false;
    if (prev !== undefined) this.#seen.delete(key);
    // Insertion order is roughly arrival order: sweep expired entries from the front.
    for (const [k, exp] of this.#seen) {
      if (exp > now && this.#seen.size < this.#max) break;
      this.#seen.delete(k);
    }
    this.#seen.set(key, expiresAt);
    return true;
  }
}
