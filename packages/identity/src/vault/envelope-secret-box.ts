import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { AES_256_KEY_BYTES, GCM_IV_BYTES, GCM_TAG_BYTES, MandateError, canonicalAad, decryptionFailure, gcmOpen, gcmSeal, randomToken, systemClock, type Clock } from '@mandate/core';
import type { Store } from '@mandate/storage';
import { collections } from '../model.ts';
import type { SealedSecret, SecretBox } from '@mandate/core';
import { MASTER_KEY_LOCK, type DataKeyDoc } from './data-key.ts';
import { dataKeyContext, type KeyProvider } from './key-provider.ts';

/**
 * Envelope encryption for every secret Mandate stores (security checklist A.3 items 19-23): a secret is
 * sealed with AES-256-GCM under a data key (DEK); the DEK is stored wrapped by the master key and only
 * ever unwrapped in memory. Unwrapped DEKs are cached (bounded LRU), so `open` on the hot path is one
 * map lookup and one AES-GCM decrypt; the master key (KMS) is asked once per DEK per process.
 *
 * Each process seals with its own current DEK, created lazily on the first seal and replaced after
 * `maxSealsPerDataKey` seals (far below the 2^32 random-IV bound of NIST SP 800-38D §8.3) or on demand.
 */
export interface EnvelopeSecretBoxOptions {
  store: Store;
  keyProvider: KeyProvider;
  clock?: Clock;
  /** Seals per data key before a new one is made (default 2^20). */
  maxSealsPerDataKey?: number;
  /** Unwrapped data keys kept in memory (default 1024). */
  cacheSize?: number;
}

const SEAL_LABEL = 'mandate-secret';
const FORMAT_VERSION = 1;
const B64URL = /^[A-Za-z0-9_-]*$/;

interface CurrentKey {
  id: string;
  key: KeyObject;
}

export class EnvelopeSecretBox implements SecretBox {
  readonly #store: Store;
  readonly #provider: KeyProvider;
  readonly #clock: Clock;
  readonly #maxSeals: number;
  readonly #cacheSize: number;
  #current: Promise<CurrentKey> | undefined;
  #sealsOnCurrent = 0;
  readonly #cache = new Map<string, KeyObject>();
  readonly #loading = new Map<string, Promise<KeyObject>>();
  #unwraps = 0;

  constructor(options: EnvelopeSecretBoxOptions) {
    this.#store = options.store;
    this.#provider = options.keyProvider;
    this.#clock = options.clock ?? systemClock;
    this.#maxSeals = options.maxSealsPerDataKey ?? 2 ** 20;
    this.#cacheSize = options.cacheSize ?? 1024;
  }

  /** How many times this box asked the key provider to unwrap a data key (the KMS call budget). */
  get unwrapCount(): number {
    return this.#unwraps;
  }

  async seal(plaintext: string, context: Record<string, string>): Promise<SealedSecret> {
    if (this.#current === undefined || this.#sealsOnCurrent >= this.#maxSeals) {
      const next = this.#createDataKey();
      this.#current = next;
      this.#sealsOnCurrent = 0;
      next.catch(() => {
        if (this.#current === next) this.#current = undefined; // retry on the next seal
      });
    }
    this.#sealsOnCurrent++;
    let cur: CurrentKey;
    try {
      cur = await this.#current;
    } catch (cause) {
      throw new MandateError('encryption_failure', 'The secret could not be encrypted.', { cause });
    }
    const sealed = gcmSeal(cur.key, Buffer.from(plaintext, 'utf8'), canonicalAad(SEAL_LABEL, FORMAT_VERSION, cur.id, context));
    return { v: FORMAT_VERSION, kid: cur.id, iv: sealed.iv.toString('base64url'), ct: sealed.ct.toString('base64url'), tag: sealed.tag.toString('base64url') };
  }

  async open(sealed: SealedSecret, context: Record<string, string>): Promise<string> {
    const s = sealed as Partial<SealedSecret> | null;
    // The ciphertext's alphabet is not checked (a regex over ~2 KB was a tenth of a vault read): the GCM
    // tag authenticates the decoded bytes, so a stray character either decodes to the same bytes (same
    // plaintext) or fails the tag check.
    if (
      s === null || typeof s !== 'object' || s.v !== FORMAT_VERSION || typeof s.kid !== 'string' || typeof s.iv !== 'string' ||
      typeof s.ct !== 'string' || typeof s.tag !== 'string' || !B64URL.test(s.iv) || !B64URL.test(s.tag)
    ) {
      throw decryptionFailure();
    }
    const iv = Buffer.from(s.iv, 'base64url');
    const tag = Buffer.from(s.tag, 'base64url');
    if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) throw decryptionFailure();
    let key = this.#cache.get(s.kid);
    if (key === undefined) key = await this.#load(s.kid);
    else if (this.#cache.size > this.#cacheSize >> 1) {
      // Keep recently used keys at the young end of the LRU (only worth doing when eviction is near).
      this.#cache.delete(s.kid);
      this.#cache.set(s.kid, key);
    }
    return gcmOpen(key, { iv, ct: Buffer.from(s.ct, 'base64url'), tag }, canonicalAad(SEAL_LABEL, FORMAT_VERSION, s.kid, context)).toString('utf8');
  }

  /** The next seal uses a fresh data key. */
  rotateDataKey(): void {
    this.#current = undefined;
  }

  /** Forgets every unwrapped data key (tests; or after an operator revokes a master key). */
  clearCache(): void {
    this.#cache.clear();
  }

  #remember(id: string, key: KeyObject): void {
    this.#cache.set(id, key);
    while (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }

  #load(id: string): Promise<KeyObject> {
    let p = this.#loading.get(id);
    if (p === undefined) {
      p = this.#unwrap(id).finally(() => this.#loading.delete(id));
      this.#loading.set(id, p);
    }
    return p;
  }

  async #unwrap(id: string): Promise<KeyObject> {
    const rec = await this.#store.get<DataKeyDoc>(collections.dataKeys, id);
    if (rec === undefined || rec.doc.dataKeyId !== id) throw decryptionFailure();
    this.#unwraps++;
    let raw: Buffer;
    try {
      raw = await this.#provider.unwrapKey(rec.doc.wrappedKey, rec.doc.masterKeyId, dataKeyContext(id));
    } catch (err) {
      if (err instanceof MandateError && err.code === 'decryption_failure') throw err;
      throw new MandateError('decryption_failure', 'The secret could not be decrypted.', { cause: err });
    }
    if (raw.length !== AES_256_KEY_BYTES) throw decryptionFailure();
    const key = createSecretKey(raw);
    raw.fill(0);
    this.#remember(id, key);
    return key;
  }

  async #createDataKey(): Promise<CurrentKey> {
    const id = `dek-${randomToken(16)}`;
    const raw = randomBytes(AES_256_KEY_BYTES);
    // Under the rotation lock, so a rotation never retires the master key this DEK is being wrapped with.
    await this.#store.withLock(MASTER_KEY_LOCK, async () => {
      const { wrapped, masterKeyId } = await this.#provider.wrapKey(raw, dataKeyContext(id));
      const doc: DataKeyDoc = { dataKeyId: id, wrappedKey: wrapped, masterKeyId, createdTime: this.#clock.now() };
      await this.#store.insert(collections.dataKeys, id, doc);
    });
    const key = createSecretKey(raw);
    raw.fill(0);
    this.#remember(id, key);
    return { id, key };
  }
}
