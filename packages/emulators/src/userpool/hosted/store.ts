/**
 * The hosted sign-in's volatile state: pending sign-in pages (interactions) and authorization codes.
 * In memory only (a restart simply asks the user to sign in again), keyed by the SHA-256 of the
 * bearer value so the raw code never sits in a map, expiring by the emulator's clock.
 */
import type { Clock } from '@mandate/core';
import { sha256 } from '../state.ts';

/** Authorization codes live 5 minutes, as in Cognito, and are single-use. */
export const CODE_TTL_MS = 5 * 60_000;
/** A sign-in page stays usable for 15 minutes. */
export const INTERACTION_TTL_MS = 15 * 60_000;

export class ExpiringMap<V> {
  readonly #m = new Map<string, { v: V; exp: number }>();
  readonly #clock: Clock;
  #puts = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  set(key: string, v: V, ttlMs: number): void {
    if (++this.#puts % 256 === 0) this.#sweep();
    this.#m.set(sha256(key), { v, exp: this.#clock.now() + ttlMs });
  }

  /** The live value, or undefined when absent or expired. */
  get(key: string): V | undefined {
    const e = this.#m.get(sha256(key));
    return e && e.exp > this.#clock.now() ? e.v : undefined;
  }

  /** Removes the entry and returns it, expired or not (so "expired" can be told from "unknown"). */
  take(key: string): { v: V; expired: boolean } | undefined {
    const k = sha256(key);
    const e = this.#m.get(k);
    if (!e) return undefined;
    this.#m.delete(k);
    return { v: e.v, expired: e.exp <= this.#clock.now() };
  }

  delete(key: string): void {
    this.#m.delete(sha256(key));
  }

  #sweep(): void {
    const now = this.#clock.now();
    for (const [k, e] of this.#m) if (e.exp <= now) this.#m.delete(k);
  }
}

/** The validated authorization request a sign-in page was shown for. */
export interface AuthorizeRequest {
  poolId: string;
  clientId: string;
  redirectUri: string;
  /** The granted scopes, space-separated. */
  scope: string;
  state?: string | undefined;
  nonce?: string | undefined;
  codeChallenge?: string | undefined;
}

export interface Interaction {
  request: AuthorizeRequest;
  /** The browser cookie that started the sign-in; the forms only work from that browser. */
  browserId: string;
  csrf: string;
  /** Set once the password was right but the user must choose a new one. */
  passwordChange?: { username: string; sub: string };
}

export interface CodeRecord {
  request: AuthorizeRequest;
  username: string;
  sub: string;
  /** Epoch seconds of the sign-in. */
  authTime: number;
}

export interface HostedState {
  interactions: ExpiringMap<Interaction>;
  codes: ExpiringMap<CodeRecord>;
}

export const newHostedState = (clock: Clock): HostedState => ({ interactions: new ExpiringMap(clock), codes: new ExpiringMap(clock) });
