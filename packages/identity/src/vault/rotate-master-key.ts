import { MandateError, systemClock, type Clock } from '@mandate/core';
import type { Store, StoredRecord } from '@mandate/storage';
import { collections } from '../model.ts';
import { MASTER_KEY_LOCK, allDataKeys, countDataKeysByMasterKey, type DataKeyDoc } from './data-key.ts';
import { dataKeyContext, isRotatable, type KeyProvider } from './key-provider.ts';

/**
 * Master-key (KEK) rotation (security checklist A.3 item 22): add a master key version, re-wrap every
 * data key under it (the secrets themselves are untouched: their DEKs do not change), and retire the
 * old version once no data key references it. Each data-key row is moved by compare-and-swap in its own
 * small transaction and records the master key that wraps it, so a rotation killed midway is resumed
 * by simply running it again: if any row is still on an older version, no new version is added and the
 * re-wrap continues. Readers never fail meanwhile: both versions unwrap until the last row has moved,
 * and processes cache unwrapped DEKs, which rotation does not change.
 */
export interface RotationOptions {
  clock?: Clock;
  /** Retire old versions that no data key references any more (default true). */
  retire?: boolean;
  /** Called after each row is re-wrapped (progress reporting; tests use it to interrupt a rotation). */
  onRewrapped?: (dataKeyId: string) => void | Promise<void>;
}

export interface RotationReport {
  /** The version every data key is now wrapped by. */
  masterKeyId: string;
  /** True when this run added the version; false when it resumed an unfinished rotation. */
  addedVersion: boolean;
  rewrapped: number;
  /** Rows that could not be unwrapped (corrupt or wrapped by a key this server lacks); their keys are kept. */
  failed: string[];
  retired: string[];
}

const MAX_PASSES = 5;

export async function rotateMasterKey(store: Store, keyProvider: KeyProvider, options: RotationOptions = {}): Promise<RotationReport> {
  const clock = options.clock ?? systemClock;
  const { masterKeyId, addedVersion } = await store.withLock(MASTER_KEY_LOCK, async () => {
    const current = await keyProvider.currentKeyId();
    const active = await keyProvider.activeKeyIds();
    const counts = await countDataKeysByMasterKey(store);
    // Rows under a key this server no longer holds cannot be moved; they must not block rotations forever.
    const unfinished = Object.keys(counts).some((id) => id !== current && active.includes(id));
    if (unfinished || !isRotatable(keyProvider)) return { masterKeyId: current, addedVersion: false };
    return { masterKeyId: await keyProvider.addKeyVersion(), addedVersion: true };
  });

  const failed = new Set<string>();
  let rewrapped = 0;
  // Data keys created by other processes during the first pass may still use the old version (they
  // read the ring before it changed); a few passes catch them, the lock below makes the last check exact.
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let moved = 0;
    for await (const rec of allDataKeys(store)) {
      if (rec.doc.masterKeyId === masterKeyId || failed.has(rec.id)) continue;
      const ok = await rewrapOne(store, keyProvider, rec, masterKeyId, clock);
      if (ok === 'failed') failed.add(rec.id);
      else if (ok === 'moved') {
        moved++;
        rewrapped++;
        await options.onRewrapped?.(rec.id);
      }
    }
    if (moved === 0) break;
  }

  const retired: string[] = [];
  if (options.retire ?? true) {
    await store.withLock(MASTER_KEY_LOCK, async () => {
      const counts = await countDataKeysByMasterKey(store);
      for (const id of await keyProvider.activeKeyIds()) {
        if (id === masterKeyId || (counts[id] ?? 0) > 0) continue;
        if (!isRotatable(keyProvider)) continue;
        await keyProvider.retireKey(id);
        retired.push(id);
      }
    });
  }
  return { masterKeyId, addedVersion, rewrapped, failed: [...failed], retired };
}

async function rewrapOne(store: Store, kp: KeyProvider, first: StoredRecord<DataKeyDoc>, target: string, clock: Clock): Promise<'moved' | 'skipped' | 'failed'> {
  let rec: StoredRecord<DataKeyDoc> | undefined = first;
  for (let attempt = 0; attempt < 5 && rec !== undefined; attempt++) {
    if (rec.doc.masterKeyId === target) return 'skipped';
    const ctx = dataKeyContext(rec.id);
    let raw: Buffer;
    try {
      raw = await kp.unwrapKey(rec.doc.wrappedKey, rec.doc.masterKeyId, ctx);
    } catch (err) {
      if (err instanceof MandateError && err.code === 'decryption_failure') return 'failed';
      throw err;
    }
    const { wrapped, masterKeyId } = await kp.wrapKey(raw, ctx);
    raw.fill(0);
    if (masterKeyId !== target) throw new MandateError('concurrent_modification', 'The master key changed during rotation; run the rotation again.');
    const doc: DataKeyDoc = { ...rec.doc, wrappedKey: wrapped, masterKeyId, rewrappedTime: clock.now() };
    const expected = rec.version;
    const updated = await store.transaction((tx) => tx.update(collections.dataKeys, rec!.id, doc, expected));
    if (updated !== undefined) return 'moved';
    rec = await store.get<DataKeyDoc>(collections.dataKeys, first.id); // changed under us: look again
  }
  return 'skipped';
}
