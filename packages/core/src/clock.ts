/** A clock that tests can move. All code reads time through a Clock, never `Date.now()` directly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  #t: number;
  constructor(start = Date.UTC(2026, 10, 29, 12, 0, 0)) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  advance(ms: number): void {
    this.#t += ms;
  }
  set(ms: number): void {
    this.#t = ms;
  }
}

export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
