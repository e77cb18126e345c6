/**
 * The emulator's volatile state: authorization codes, refresh tokens, device codes, browser sessions,
 * pending interactions and seen client-assertion ids. In memory, keyed by the SHA-256 of the bearer
 * value (the raw value is never kept), expiring by the injected clock.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '@mandate/core';

export class ExpiringMap<V> {
  readonly #m = new Map<string, { v: V; exp: number }>();
  readonly #clock: Clock;
  #puts = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  set(key: string, v: V, ttlMs: number): void {
    if (++this.#puts % 256 === 0) this.sweep();
    this.#m.set(hashKey(key), { v, exp: this.#clock.now() + ttlMs });
  }

  /** The live value, or undefined when absent or expired. */
  get(key: string): V | undefined {
    const e = this.#m.get(hashKey(key));
    return e && e.exp > this.#clock.now() ? e.v : undefined;
  }

  /** The value even when expired (to tell "expired" from "unknown"), with its state. */
  peek(key: string): { v: V; expired: boolean } | undefined {
    const e = this.#m.get(hashKey(key));
    return e ? { v: e.v, expired: e.exp <= this.#clock.now() } : undefined;
  }

  delete(key: string): void {
    this.#m.delete(hashKey(key));
  }

  sweep(): void {
    // Keep expired entries for a grace period so "expired" errors stay precise, then forget them.
    const cutoff = this.#clock.now() - 3_600_000;
    for (const [k, e] of this.#m) if (e.exp < cutoff) this.#m.delete(k);
  }
}

function hashKey(k: string): string {
  return createHash('sha256').update(k).digest('base64url');
}

export interface CodeRecord {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  scope: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  authTime: number;
  sid: string;
}

export interface RefreshRecord {
  tenantId: string;
  clientId: string;
  userId: string;
  authTime: number;
  sid: string | undefined;
}

export interface DeviceRecord {
  tenantId: string;
  clientId: string;
  scope: string;
  userCode: string;
  interval: number;
  lastPoll: number;
  status: 'pending' | 'approved' | 'declined' | 'redeemed';
  userId?: string;
  authTime?: number;
}

export interface SessionRecord {
  tenantId: string;
  userId: string;
  authTime: number;
}

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  responseMode: 'query' | 'fragment' | 'form_post';
  scope: string;
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  prompt: string | undefined;
  loginHint: string | undefined;
}

export interface Interaction {
  tenantId: string;
  /** The browser (cookie) that started it; the pages refuse any other. */
  browserId: string;
  csrf: string;
  kind: 'authorize' | 'device';
  authorize?: AuthorizeParams;
  deviceCode?: string;
  userId?: string;
  authTime?: number;
  /** Consent keys still to be granted, shown on the consent page. */
  pendingConsent?: string[];
}

export class GrantStore {
  readonly codes: ExpiringMap<CodeRecord>;
  /** Codes already redeemed, remembered to answer AADSTS54005 instead of revoking tokens. */
  readonly redeemedCodes: ExpiringMap<true>;
  readonly refreshTokens: ExpiringMap<RefreshRecord>;
  readonly deviceCodes: ExpiringMap<DeviceRecord>;
  /** user code → device code. */
  readonly userCodes: ExpiringMap<string>;
  readonly sessions: ExpiringMap<SessionRecord>;
  readonly interactions: ExpiringMap<Interaction>;
  readonly assertionIds: ExpiringMap<true>;

  constructor(clock: Clock) {
    this.codes = new ExpiringMap(clock);
    this.redeemedCodes = new ExpiringMap(clock);
    this.refreshTokens = new ExpiringMap(clock);
    this.deviceCodes = new ExpiringMap(clock);
    this.userCodes = new ExpiringMap(clock);
    this.sessions = new ExpiringMap(clock);
    this.interactions = new ExpiringMap(clock);
    this.assertionIds = new ExpiringMap(clock);
  }
}

export const CODE_TTL = 10 * 60_000;
/** Refresh tokens: 90-day sliding inactivity window (reference §4). */
export const REFRESH_TTL = 90 * 86_400_000;
export const SESSION_TTL = 24 * 3_600_000;
export const INTERACTION_TTL = 30 * 60_000;
export const DEVICE_TTL = 15 * 60_000;
