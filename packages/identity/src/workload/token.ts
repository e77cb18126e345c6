import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { MandateError, randomIv, randomToken } from '@mandate/core';
import { StoreConflictError, type Store } from '@mandate/storage';
import { collections, type UserBinding } from '../model.ts';
import type { IdentityServices } from '../services.ts';

/**
 * Workload access tokens (WATs). A WAT says "workload W acting for user U until T" and is only ever
 * accepted by Mandate itself (security checklist A.5 item 40), so it is not a JWT that another resource
 * server could be tricked into accepting: it is an AES-256-GCM sealed blob
 *
 *   mwat1.<kid>.<iv b64url>.<ciphertext||tag b64url>
 *
 * under a key from `collections.serviceKeys` (itself sealed by the SecretBox and shared by every instance
 * on the store). AEAD gives integrity and hides the user binding from whoever holds the token. The prefix
 * and kid are bound as associated data. Verification is one map lookup plus one GCM open: cheap enough for
 * the hot path (GetResourceOauth2Token on every agent call).
 */

const PREFIX = 'mwat1';
const KEY_DOC_ID = 'workload-access-token';
/** Minutes, not hours (A.5 item 40). Longer than an authorization session (10 min) so a poller's WAT outlives it. */
export const WAT_LIFETIME_MS = 15 * 60_000;
// Room for an embedded user token (kept for on-behalf-of exchange); AWS caps the field at 131,072 chars.
const MAX_TOKEN_LENGTH = 65_536;

interface StoredKey {
  kid: string;
  sealed: import('@mandate/core').SealedSecret;
  createdTime: number;
}
interface KeyDoc {
  current: string;
  keys: StoredKey[];
}

// KeyObjects, not Buffers: Node prepares a Buffer key on every createCipheriv/createDecipheriv call,
// which cost about ten times the GCM open itself on the hot path.
interface KeyRing {
  current: { kid: string; key: KeyObject; aad: Buffer };
  byKid: Map<string, { key: KeyObject; aad: Buffer }>;
}

interface WatPayload {
  /** workload name */
  w: string;
  /** user binding, compact: ['j', iss, sub] | ['u', userId] | ['n'] */
  u: [string, ...string[]];
  /** issued at / expires at, epoch ms */
  iat: number;
  exp: number;
  /** The verified user JWT the WAT was minted from (ForJWT), kept sealed inside for on-behalf-of exchange. */
  t?: string;
}

export interface VerifiedWorkloadToken {
  workloadName: string;
  user: UserBinding;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The user JWT the token was minted from (GetWorkloadAccessTokenForJWT), for on-behalf-of exchange. */
  userToken?: string;
}

// One key ring per store: instances in one process that share nothing else keep separate caches.
const rings = new WeakMap<Store, Promise<KeyRing>>();
const lastReload = new WeakMap<Store, number>();
const RELOAD_COOLDOWN_MS = 30_000;

function sealContext(kid: string): Record<string, string> {
  return { kind: 'service-key', purpose: KEY_DOC_ID, kid };
}

async function loadRing(services: IdentityServices): Promise<KeyRing> {
  const { store } = services;
  let rec = await store.get<KeyDoc>(collections.serviceKeys, KEY_DOC_ID);
  if (!rec) {
    const kid = randomToken(9);
    const raw = randomBytes(32);
    const doc: KeyDoc = {
      current: kid,
      keys: [{ kid, sealed: await services.secrets.seal(raw.toString('base64url'), sealContext(kid)), createdTime: services.clock.now() }],
    };
    try {
      await store.insert(collections.serviceKeys, KEY_DOC_ID, doc);
    } catch (err) {
      // Another instance created the key first: use theirs.
      if (!(err instanceof StoreConflictError)) throw err;
    }
    rec = await store.get<KeyDoc>(collections.serviceKeys, KEY_DOC_ID);
    if (!rec) throw new MandateError('internal', 'The workload access token key could not be created.');
  }
  const byKid: KeyRing['byKid'] = new Map();
  for (const k of rec.doc.keys) {
    const raw = Buffer.from(await services.secrets.open(k.sealed, sealContext(k.kid)), 'base64url');
    if (raw.length !== 32) throw new MandateError('internal', 'A workload access token key has the wrong length.');
    byKid.set(k.kid, { key: createSecretKey(raw), aad: Buffer.from(`${PREFIX}.${k.kid}`) });
  }
  const cur = byKid.get(rec.doc.current);
  if (!cur) throw new MandateError('internal', 'The workload access token key ring has no current key.');
  return { current: { kid: rec.doc.current, ...cur }, byKid };
}

function ring(services: IdentityServices, reload = false): Promise<KeyRing> {
  let p = rings.get(services.store);
  if (!p || reload) {
    p = loadRing(services);
    rings.set(services.store, p);
    // A failed load must not poison the cache.
    p.catch(() => {
      if (rings.get(services.store) === p) rings.delete(services.store);
    });
  }
  return p;
}

function compactUser(user: UserBinding): WatPayload['u'] {
  switch (user.kind) {
    case 'jwt':
      return ['j', user.issuer, user.subject];
    case 'userId':
      return ['u', user.userId];
    case 'none':
      return ['n'];
  }
}

function expandUser(u: unknown): UserBinding | undefined {
  if (!Array.isArray(u) || u.some((x) => typeof x !== 'string')) return undefined;
  if (u[0] === 'j' && u.length === 3) return { kind: 'jwt', issuer: u[1], subject: u[2] };
  if (u[0] === 'u' && u.length === 2) return { kind: 'userId', userId: u[1] };
  if (u[0] === 'n' && u.length === 1) return { kind: 'none' };
  return undefined;
}

/** Mints a WAT for `workloadName` acting for `user`. The caller has already checked who may ask for it. */
export async function mintWorkloadAccessToken(
  services: IdentityServices,
  args: { workloadName: string; user: UserBinding; userToken?: string },
): Promise<string> {
  const { current } = await ring(services);
  const now = services.clock.now();
  const payload: WatPayload = { w: args.workloadName, u: compactUser(args.user), iat: now, exp: now + WAT_LIFETIME_MS };
  if (args.userToken !== undefined) payload.t = args.userToken;
  const iv = randomIv();
  const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: 16 });
  cipher.setAAD(current.aad);
  const ct = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}.${current.kid}.${iv.toString('base64url')}.${ct.toString('base64url')}`;
}

const invalid = (): MandateError => new MandateError('access_denied', 'The workload access token is invalid or expired.');

/**
 * Verifies a WAT and returns what it binds. Every failure (malformed, unknown key, forged, expired) is the
 * same AccessDeniedException, so a caller learns nothing about why.
 */
export async function verifyWorkloadAccessToken(services: IdentityServices, token: string): Promise<VerifiedWorkloadToken> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw invalid();
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw invalid();
  const [, kid, ivText, ctText] = parts as [string, string, string, string];
  let entry = (await ring(services)).byKid.get(kid);
  // A kid we do not know may come from a key another instance rotated in since we loaded: reload, but at
  // most once per cooldown, so forged kids cannot turn every request into a store read and a decryption.
  if (!entry && /^[A-Za-z0-9_-]{1,32}$/.test(kid)) {
    const last = lastReload.get(services.store) ?? -Infinity;
    if (performance.now() - last >= RELOAD_COOLDOWN_MS) {
      lastReload.set(services.store, performance.now());
      entry = (await ring(services, true)).byKid.get(kid);
    }
  }
  if (!entry) throw invalid();
  const iv = Buffer.from(ivText, 'base64url');
  const ct = Buffer.from(ctText, 'base64url');
  if (iv.length !== 12 || ct.length < 17) throw invalid();
  let payload: WatPayload;
  try {
    const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, { authTagLength: 16 });
    decipher.setAAD(entry.aad);
    decipher.setAuthTag(ct.subarray(ct.length - 16));
    const plain = Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]);
    payload = JSON.parse(plain.toString('utf8')) as WatPayload;
  } catch {
    throw invalid();
  }
  const user = expandUser(payload.u);
  if (!user || typeof payload.w !== 'string' || typeof payload.exp !== 'number') throw invalid();
  if (payload.exp <= services.clock.now()) throw invalid();
  const out: VerifiedWorkloadToken = { workloadName: payload.w, user, expiresAt: payload.exp };
  if (typeof payload.t === 'string') out.userToken = payload.t;
  return out;
}

/** A stable string naming the user of a binding, used in vault keys and session binding comparisons. */
export function userKey(user: UserBinding): string {
  switch (user.kind) {
    case 'jwt':
      return `jwt:${user.issuer}\u0000${user.subject}`;
    case 'userId':
      return `uid:${user.userId}`;
    case 'none':
      return 'none';
  }
}
