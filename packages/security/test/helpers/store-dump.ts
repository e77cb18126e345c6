import type { Store } from '@mandate/storage';

/** Every live record of a collection as id → JSON text (to prove a failed request changed nothing). */
export async function dumpCollection(store: Store, collection: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let after: string | undefined;
  do {
    const page = await store.list<unknown>(collection, after === undefined ? { limit: 500 } : { limit: 500, after });
    for (const r of page.items) out.set(r.id, JSON.stringify({ v: r.version, doc: r.doc }));
    after = page.next;
  } while (after !== undefined);
  return out;
}

export async function dumpCollections(store: Store, collections: string[]): Promise<Record<string, Map<string, string>>> {
  const out: Record<string, Map<string, string>> = {};
  for (const c of collections) out[c] = await dumpCollection(store, c);
  return out;
}
