import type { Store, StoredRecord } from '@mandate/storage';
import { collections } from '../model.ts';

/** A data key (DEK) as stored in `collections.dataKeys`: only ever in wrapped form. */
export interface DataKeyDoc {
  dataKeyId: string;
  /** base64url, opaque to everyone but the KeyProvider. */
  wrappedKey: string;
  /** The master key version that wraps it; rotation moves this forward row by row. */
  masterKeyId: string;
  createdTime: number;
  rewrappedTime?: number;
}

/** One named lock serialises data-key creation with master-key rotation and retirement across processes. */
export const MASTER_KEY_LOCK = 'mandate:vault:master-key';

export async function* allDataKeys(store: Pick<Store, 'list'>): AsyncGenerator<StoredRecord<DataKeyDoc>> {
  let after: string | undefined;
  do {
    const page = await store.list<DataKeyDoc>(collections.dataKeys, after === undefined ? { limit: 500 } : { limit: 500, after });
    yield* page.items;
    after = page.next;
  } while (after !== undefined);
}

/** How many data keys each master key version wraps. */
export async function countDataKeysByMasterKey(store: Pick<Store, 'list'>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const r of allDataKeys(store)) counts[r.doc.masterKeyId] = (counts[r.doc.masterKeyId] ?? 0) + 1;
  return counts;
}
