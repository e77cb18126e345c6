import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Logger } from '@mandate/core';
import { cognitoError } from './errors.ts';
import { KeyCache } from './keys.ts';
import { noOAuthSettings, type ClientRecord, type PoolRecord, type UserPoolStateData, type UserRecord } from './model.ts';

export const STATE_FILE = 'userpool.json';

/** Objects keyed by caller-chosen names (usernames) have no prototype, so `__proto__` is just a name. */
export const dict = <T>(from?: Record<string, T>): Record<string, T> => Object.assign(Object.create(null) as Record<string, T>, from);

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('base64url');

/**
 * All user-pool state lives in one JSON document in memory. With a data directory it is also written
 * to `<dataDir>/userpool.json` after every change: a temporary file, then a rename, so a crash leaves
 * either the old or the new file, never half of one. Writes are serialized and coalesced.
 */
export class UserPoolState {
  readonly data: UserPoolStateData;
  readonly keys = new KeyCache();
  readonly clock: Clock;
  readonly #file: string | undefined;
  readonly #logger: Logger;
  #writing: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;

  private constructor(data: UserPoolStateData, file: string | undefined, clock: Clock, logger: Logger) {
    this.data = data;
    this.#file = file;
    this.clock = clock;
    this.#logger = logger;
  }

  static async open(dataDir: string | undefined, clock: Clock, logger: Logger): Promise<UserPoolState> {
    const empty: UserPoolStateData = { version: 1, pools: dict(), refreshTokens: dict(), sessions: dict() };
    if (dataDir === undefined) return new UserPoolState(empty, undefined, clock, logger);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, STATE_FILE);
    let data = empty;
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as UserPoolStateData;
      if (parsed.version !== 1 || typeof parsed.pools !== 'object') throw new Error(`unsupported state file version in ${file}`);
      data = { version: 1, pools: dict(parsed.pools), refreshTokens: dict(parsed.refreshTokens), sessions: dict(parsed.sessions) };
      for (const pool of Object.values(data.pools)) {
        pool.clients = dict(pool.clients);
        // State files written before app clients had OAuth settings.
        for (const [id, c] of Object.entries(pool.clients)) pool.clients[id] = { ...noOAuthSettings(), ...c };
        pool.users = dict(pool.users);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new UserPoolState(data, file, clock, logger);
  }

  /** Persists the current state; resolves once a write that includes every change so far is on disk. */
  commit(): Promise<void> {
    if (this.#file === undefined) return Promise.resolve();
    // A write that has not started yet will pick up this change too.
    if (this.#queued) return this.#queued;
    const file = this.#file;
    const next = this.#writing.then(async () => {
      this.#queued = undefined;
      this.#prune();
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(this.data), { mode: 0o600 });
      await rename(tmp, file);
    });
    this.#queued = next;
    this.#writing = next.catch((err: unknown) => {
      this.#logger.error('user-pool state write failed', { file, error: err });
    });
    return next;
  }

  /** Waits for pending writes (used on close). */
  async flush(): Promise<void> {
    await this.#writing;
  }

  #prune(): void {
    const now = this.clock.now();
    for (const [k, r] of Object.entries(this.data.refreshTokens)) if (r.expiresAt <= now) delete this.data.refreshTokens[k];
    for (const [k, s] of Object.entries(this.data.sessions)) if (s.expiresAt <= now) delete this.data.sessions[k];
  }

  pool(poolId: string): PoolRecord {
    const p = Object.hasOwn(this.data.pools, poolId) ? this.data.pools[poolId] : undefined;
    if (!p) throw cognitoError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    return p;
  }

  client(pool: PoolRecord, clientId: string): ClientRecord {
    const c = Object.hasOwn(pool.clients, clientId) ? pool.clients[clientId] : undefined;
    if (!c) throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return c;
  }

  /** Finds an app client by id across pools (InitiateAuth names only the client). */
  clientAnywhere(clientId: string): { pool: PoolRecord; client: ClientRecord } {
    for (const pool of Object.values(this.data.pools)) {
      if (Object.hasOwn(pool.clients, clientId)) return { pool, client: pool.clients[clientId]! };
    }
    throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }

  findUser(pool: PoolRecord, username: string): UserRecord | undefined {
    return Object.hasOwn(pool.users, username) ? pool.users[username] : undefined;
  }

  user(pool: PoolRecord, username: string): UserRecord {
    const u = this.findUser(pool, username);
    if (!u) throw cognitoError('UserNotFoundException', 'User does not exist.');
    return u;
  }
}
