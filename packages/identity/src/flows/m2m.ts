import { MandateError } from '@mandate/core';
import { createHash } from 'node:crypto';
import * as o from 'oauth4webapi';
import { collections } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import type { SealedSecret } from '@mandate/core';
import { providerError, toProviderTokens, joinScopes, type ProviderClient } from './provider-client.ts';
import { m2mScopes } from './scopes.ts';
import { scopesKey } from '../model.ts';
import { isFresh } from './freshness.ts';

/**
 * Client-credentials tokens (2LO). They belong to Mandate's client at the provider, not to a user, so one
 * cached token per (provider, scopes, audiences, resources) serves every caller until shortly before
 * `expires_in` (A.5 item 42: never one upstream call per agent call). A cold cache is filled once:
 * in-process callers share one promise, and instances sharing the store serialise on store.withLock and
 * re-read after acquiring it.
 */
interface M2mDoc {
  providerName: string;
  token: SealedSecret;
  expiresAt?: number;
}

interface MemoEntry {
  token: string;
  expiresAt: number | undefined;
}

const memo = new WeakMap<IdentityServices, Map<string, MemoEntry>>();
const inflight = new WeakMap<IdentityServices, Map<string, Promise<string>>>();
/** Without expires_in we still do not keep a token forever. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;

export interface M2mRequest {
  scopes: string[];
  audiences?: string[] | undefined;
  resources?: string[] | undefined;
}

function cacheKey(pc: ProviderClient, scopes: string[], req: M2mRequest): string {
  const k = [pc.doc.name, pc.doc.lastUpdatedTime, scopesKey(scopes), scopesKey(req.audiences ?? []), scopesKey(req.resources ?? [])].join('\u0000');
  return createHash('sha256').update(k).digest('base64url');
}

const ctx = (provider: string, key: string) => ({ kind: 'm2m-token', provider, key });

export async function getM2mToken(services: IdentityServices, pc: ProviderClient, req: M2mRequest): Promise<string> {
  if (pc.quirks.tokenAuthMethod === 'none') {
    throw new MandateError('validation', `Credential provider ${pc.doc.name} is a public client (no client secret): the client-credentials grant (M2M) needs a confidential client (RFC 6749 §4.4).`);
  }
  const scopes = m2mScopes(pc, req.scopes);
  const key = cacheKey(pc, scopes, req);
  const now = services.clock.now();
  let m = memo.get(services);
  if (!m) memo.set(services, (m = new Map()));
  const hit = m.get(key);
  if (hit && isFresh(hit.expiresAt, now)) return hit.token;

  let f = inflight.get(services);
  if (!f) inflight.set(services, (f = new Map()));
  const running = f.get(key);
  if (running) return running;
  const flights = f;
  const memoMap = m;
  const p = (async () => {
    const fromStore = await readStored(services, pc, key);
    if (fromStore) return remember(memoMap, key, fromStore);
    return services.store.withLock(`m2m:${key}`, async () => {
      const again = await readStored(services, pc, key);
      if (again) return remember(memoMap, key, again);
      const fresh = await requestToken(services, pc, scopes, req);
      const doc: M2mDoc = { providerName: pc.doc.name, token: await services.secrets.seal(fresh.token, ctx(pc.doc.name, key)) };
      if (fresh.expiresAt !== undefined) doc.expiresAt = fresh.expiresAt;
      await services.store.put(collections.m2mTokens, key, doc, { expiresAt: fresh.expiresAt });
      return remember(memoMap, key, fresh);
    });
  })();
  flights.set(key, p);
  try {
    return await p;
  } finally {
    flights.delete(key);
  }
}

function remember(m: Map<string, MemoEntry>, key: string, e: MemoEntry): string {
  m.set(key, e);
  return e.token;
}

async function readStored(services: IdentityServices, pc: ProviderClient, key: string): Promise<MemoEntry | undefined> {
  const rec = await services.store.get<M2mDoc>(collections.m2mTokens, key);
  if (!rec || !isFresh(rec.doc.expiresAt, services.clock.now())) return undefined;
  try {
    return { token: await services.secrets.open(rec.doc.token, ctx(pc.doc.name, key)), expiresAt: rec.doc.expiresAt };
  } catch {
    return undefined;
  }
}

async function requestToken(services: IdentityServices, pc: ProviderClient, scopes: string[], req: M2mRequest): Promise<MemoEntry> {
  const params = new URLSearchParams();
  if (scopes.length && !pc.quirks.noScopes) params.set('scope', joinScopes(pc, scopes));
  for (const a of req.audiences ?? []) params.append('audience', a);
  // RFC 8707 resource indicators, except toward vendors that select the resource by scope (Entra; landscape pain #4).
  if (!pc.quirks.noResourceIndicators) for (const r of req.resources ?? []) params.append('resource', r);
  try {
    const res = await o.clientCredentialsGrantRequest(pc.as, pc.client, pc.auth, params, pc.options);
    const t = toProviderTokens(services, await o.processClientCredentialsResponse(pc.as, pc.client, res));
    return { token: t.accessToken, expiresAt: t.expiresAt ?? services.clock.now() + DEFAULT_LIFETIME_MS };
  } catch (err) {
    throw providerError(pc.doc.name, err, pc.secretValues);
  }
}
