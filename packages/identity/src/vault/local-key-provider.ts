import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AES_256_KEY_BYTES, MandateError, canonicalAad, decryptionFailure, gcmOpen, gcmSeal, keyFingerprint, packGcm, unpackGcm } from '@mandate/core';
import type { RotatableKeyProvider, WrappedKey } from './key-provider.ts';

/**
 * The master key ring for self-hosted deployments: the key-encryption key lives outside the database
 * (security checklist A.3 item 19), either
 *   - in `${dataDir}/master.key`, a JSON ring created with mode 0600 on first start, or
 *   - in the environment: `MANDATE_MASTER_KEY` = base64 of 32 random bytes (e.g. `openssl rand -base64 32`),
 *     plus, while a rotation is in progress, `MANDATE_MASTER_KEY_PREVIOUS` = comma-separated older keys
 *     that may still unwrap data keys. The environment wins when set.
 * Key ids are `mk-<fingerprint>`: a ring holding a different key under the same file name can never be
 * mistaken for the right one, and every unwrap with the wrong key fails closed with `decryption_failure`.
 */
interface RingEntry {
  id: string;
  version: number;
  /** base64; absent once retired (the material is destroyed). */
  key?: string;
  status: 'active' | 'retired';
  createdAt: string;
  retiredAt?: string;
}

interface RingFile {
  format: 'mandate-master-key-ring';
  current: string;
  keys: RingEntry[];
}

const WRAP_LABEL = 'mandate-wrap';
const WRAP_VERSION = 1;

export const MASTER_KEY_ENV = 'MANDATE_MASTER_KEY';
export const MASTER_KEY_PREVIOUS_ENV = 'MANDATE_MASTER_KEY_PREVIOUS';

function decodeKey(b64: string, what: string): Buffer {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== AES_256_KEY_BYTES) throw new MandateError('validation', `${what} must be base64 of exactly 32 bytes.`);
  return key;
}

function newEntry(version: number): RingEntry {
  const key = randomBytes(AES_256_KEY_BYTES);
  return { id: `mk-${keyFingerprint(key)}`, version, key: key.toString('base64'), status: 'active', createdAt: new Date().toISOString() };
}

export class LocalKeyProvider implements RotatableKeyProvider {
  readonly kind: 'local-file' | 'local-env';
  readonly path: string | undefined;
  #keys = new Map<string, Buffer>();
  #current = '';
  /** Identifies the ring file version last loaded (the ring is replaced by rename, so the inode changes). */
  #stamp = '';

  private constructor(kind: 'local-file' | 'local-env', path: string | undefined) {
    this.kind = kind;
    this.path = path;
  }

  /** The environment key when `MANDATE_MASTER_KEY` is set, otherwise `${dataDir}/master.key`. */
  static async open(options: { dataDir: string; env?: NodeJS.ProcessEnv }): Promise<LocalKeyProvider> {
    const env = options.env ?? process.env;
    if (env[MASTER_KEY_ENV]) return LocalKeyProvider.fromEnv(env);
    return LocalKeyProvider.fromFile(join(options.dataDir, 'master.key'));
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): LocalKeyProvider {
    const raw = env[MASTER_KEY_ENV];
    if (!raw) throw new MandateError('validation', `${MASTER_KEY_ENV} is not set.`);
    const p = new LocalKeyProvider('local-env', undefined);
    const current = decodeKey(raw, MASTER_KEY_ENV);
    p.#current = `mk-${keyFingerprint(current)}`;
    p.#keys.set(p.#current, current);
    for (const prev of (env[MASTER_KEY_PREVIOUS_ENV] ?? '').split(',').filter((s) => s.trim() !== '')) {
      const k = decodeKey(prev, MASTER_KEY_PREVIOUS_ENV);
      p.#keys.set(`mk-${keyFingerprint(k)}`, k);
    }
    return p;
  }

  /** Loads the ring at `path`, creating it (mode 0600, exclusive create) when absent. */
  static async fromFile(path: string): Promise<LocalKeyProvider> {
    const p = new LocalKeyProvider('local-file', path);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const first = newEntry(1);
    const ring: RingFile = { format: 'mandate-master-key-ring', current: first.id, keys: [first] };
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(ring, null, 2) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // Like ssh with private keys: refuse a master key that other users can read.
    if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) {
      throw new MandateError('internal', `The master key file ${path} is readable by other users; run chmod 600 on it.`);
    }
    await p.#reload();
    return p;
  }

  async #readRing(): Promise<RingFile> {
    const text = await readFile(this.path!, 'utf8');
    let ring: RingFile;
    try {
      ring = JSON.parse(text) as RingFile;
    } catch {
      throw new MandateError('internal', `The master key file ${this.path} is not valid JSON.`);
    }
    if (ring.format !== 'mandate-master-key-ring' || !Array.isArray(ring.keys) || typeof ring.current !== 'string') {
      throw new MandateError('internal', `The master key file ${this.path} is not a Mandate master key ring.`);
    }
    return ring;
  }

  async #fileStamp(): Promise<string> {
    const st = await stat(this.path!);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  }

  async #reload(): Promise<void> {
    if (this.kind !== 'local-file') return;
    const stamp = await this.#fileStamp();
    const ring = await this.#readRing();
    const keys = new Map<string, Buffer>();
    for (const e of ring.keys) {
      if (e.status !== 'active' || !e.key) continue;
      const key = decodeKey(e.key, `master key ${e.id}`);
      // The id is derived from the key, so an edited key under an old id is caught here.
      if (`mk-${keyFingerprint(key)}` !== e.id) throw new MandateError('internal', `Master key ${e.id} does not match its id.`);
      keys.set(e.id, key);
    }
    if (!keys.has(ring.current)) throw new MandateError('internal', 'The current master key is missing from the ring.');
    this.#keys = keys;
    this.#current = ring.current;
    this.#stamp = stamp;
  }

  async #writeRing(ring: RingFile): Promise<void> {
    // Write-then-rename so a crash never leaves a half-written ring (the only copy of the master key).
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(ring, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(tmp, this.path!);
    await this.#reload();
  }

  async currentKeyId(): Promise<string> {
    // Rare (only when a data key is created), so re-read the ring: another process may have rotated.
    await this.#reload();
    return this.#current;
  }

  async activeKeyIds(): Promise<string[]> {
    await this.#reload();
    return [this.#current, ...[...this.#keys.keys()].filter((k) => k !== this.#current)];
  }

  async wrapKey(dek: Uint8Array, context: Record<string, string>): Promise<WrappedKey> {
    const masterKeyId = await this.currentKeyId();
    const sealed = gcmSeal(this.#keys.get(masterKeyId)!, dek, canonicalAad(WRAP_LABEL, WRAP_VERSION, masterKeyId, context));
    return { wrapped: packGcm(sealed).toString('base64url'), masterKeyId };
  }

  async unwrapKey(wrapped: string, masterKeyId: string, context: Record<string, string>): Promise<Buffer> {
    let key = this.#keys.get(masterKeyId);
    if (!key && this.kind === 'local-file' && (await this.#fileStamp()) !== this.#stamp) {
      // A key added by a rotation in another process after this one loaded the ring.
      await this.#reload();
      key = this.#keys.get(masterKeyId);
    }
    if (!key) throw decryptionFailure('The data key is wrapped by a master key this server does not hold.');
    return gcmOpen(key, unpackGcm(Buffer.from(wrapped, 'base64url')), canonicalAad(WRAP_LABEL, WRAP_VERSION, masterKeyId, context));
  }

  async addKeyVersion(): Promise<string> {
    if (this.kind !== 'local-file') {
      throw new MandateError('validation', `Set a new ${MASTER_KEY_ENV} and move the old one to ${MASTER_KEY_PREVIOUS_ENV} to rotate an environment master key.`);
    }
    const ring = await this.#readRing();
    const entry = newEntry(Math.max(0, ...ring.keys.map((k) => k.version)) + 1);
    ring.keys.push(entry);
    ring.current = entry.id;
    await this.#writeRing(ring);
    return entry.id;
  }

  async retireKey(masterKeyId: string): Promise<void> {
    if (this.kind !== 'local-file') {
      if (masterKeyId === this.#current) throw new MandateError('validation', 'The current master key cannot be retired.');
      this.#keys.delete(masterKeyId); // the operator removes it from MANDATE_MASTER_KEY_PREVIOUS
      return;
    }
    const ring = await this.#readRing();
    if (ring.current === masterKeyId) throw new MandateError('validation', 'The current master key cannot be retired.');
    const entry = ring.keys.find((k) => k.id === masterKeyId);
    if (!entry || entry.status === 'retired') return;
    delete entry.key;
    entry.status = 'retired';
    entry.retiredAt = new Date().toISOString();
    await this.#writeRing(ring);
  }
}
