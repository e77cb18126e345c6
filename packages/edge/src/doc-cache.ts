import type { Logger } from '@mandate/core';
import type { Store } from '@mandate/storage';

/**
 * A short-lived per-process cache of the configuration documents the data planes read on every call:
 * the provider and workload identity of GetResourceOauth2Token (a vault hit costs one store read
 * instead of three) and the runtime and endpoint of InvokeAgentRuntime (packages/runtime/src/records.ts).
 * Never per-user data: it stays the same size however many users and tokens the vault holds.
 *
 * Correctness comes from invalidation, not from the TTL: the control-plane operations that update or
 * delete these documents call `docChanged` after their transaction commits, which drops the local entry
 * at once and publishes on DOC_CHANGED_CHANNEL so other instances sharing the store drop theirs too
 * (the pattern SigV4Authenticator uses for revoked access keys). A generation counter bumped on every
 * invalidation keeps a read that started before a change from re-filling the cache with the old document.
 * The TTL (real time, not the service clock) only bounds how long a write made without `docChanged`
 * (another package writing the collection directly) can go unseen. Until the subscription is in place,
 * or if it fails, nothing is cached.
 */
// The channel name predates this module's move out of identity; instances of either version interoperate.
export const DOC_CHANGED_CHANNEL = 'mandate.identity.doc-changed';
export const DOC_CACHE_TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  doc: unknown;
  at: number;
}
interface DocCache {
  entries: Map<string, Entry>;
  generation: number;
  subscribed: boolean;
}

/** What the cache needs of a plane's services; one cache per services object (one per instance). */
export interface DocCacheServices {
  store: Store;
  logger: Logger;
}

const caches = new WeakMap<DocCacheServices, DocCache>();

// Store payloads may not contain NUL; collection names and these ids never contain a space.
function cacheKey(collection: string, id: string): string {
  return `${collection} ${id}`;
}

function cacheOf(services: DocCacheServices): DocCache {
  let c = caches.get(services);
  if (!c) {
    const cache: DocCache = { entries: new Map(), generation: 0, subscribed: false };
    c = cache;
    caches.set(services, cache);
    services.store
      .subscribe(DOC_CHANGED_CHANNEL, (key) => {
        cache.generation++;
        cache.entries.delete(key);
      })
      .then(() => {
        cache.subscribed = true;
      })
      .catch((err: unknown) => {
        services.logger.warn('document change subscription failed; provider and workload documents are read from the store every time', { error: err });
      });
  }
  return c;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Reads a document through the cache; undefined when absent. The returned document is frozen: never mutate it. */
export async function cachedDoc<T>(services: DocCacheServices, collection: string, id: string): Promise<T | undefined> {
  const cache = cacheOf(services);
  const key = cacheKey(collection, id);
  const now = performance.now();
  const hit = cache.entries.get(key);
  if (hit && now - hit.at < DOC_CACHE_TTL_MS) return hit.doc as T;
  const generation = cache.generation;
  const rec = await services.store.get<T>(collection, id);
  if (!rec) {
    cache.entries.delete(key);
    return undefined;
  }
  const doc = deepFreeze(rec.doc);
  if (cache.subscribed && cache.generation === generation && rec.expiresAt === undefined) {
    if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
    cache.entries.set(key, { doc, at: now });
  }
  return doc;
}

/** Call after committing an update or delete of a cached document: drops it here and on every instance sharing the store. */
export async function docChanged(services: DocCacheServices, collection: string, id: string): Promise<void> {
  const cache = caches.get(services);
  const key = cacheKey(collection, id);
  if (cache) {
    cache.generation++;
    cache.entries.delete(key);
  }
  try {
    await services.store.publish(DOC_CHANGED_CHANNEL, key);
  } catch (err) {
    services.logger.warn('could not publish a document change; other instances see it within the cache TTL', { error: err, collection });
  }
}
