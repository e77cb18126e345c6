import { LockTimeoutError } from './store.ts';

interface Waiter {
  grant: () => void;
}

/**
 * An in-process, per-key FIFO mutex with a deadline. Adapters take it before their cross-process lock
 * so contenders inside one process queue here instead of polling (SQLite) or each holding a pooled
 * connection while they wait (PostgreSQL).
 */
export class KeyedMutex {
  #queues = new Map<string, Waiter[]>();

  /** Resolves with a release function once `key` is ours; rejects with LockTimeoutError at `deadline` (epoch ms). */
  acquire(key: string, deadline: number): Promise<() => void> {
    const queue = this.#queues.get(key);
    if (!queue) {
      this.#queues.set(key, []);
      return Promise.resolve(this.#releaser(key));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.#releaser(key));
        },
      };
      const timer = setTimeout(() => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(new LockTimeoutError(key));
      }, Math.max(0, deadline - Date.now()));
      queue.push(waiter);
    });
  }

  #releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.#queues.get(key)!;
      const next = queue.shift();
      if (next) next.grant();
      else this.#queues.delete(key);
    };
  }
}

/**
 * A counting semaphore with the same deadline semantics: at most `slots` holders at once, FIFO. The
 * PostgreSQL adapter bounds concurrent advisory-lock holders by it, so waiting for a lock connection is
 * bounded by the lock's own deadline rather than by the pool's connect timeout.
 */
export class Semaphore {
  #free: number;
  #queue: Waiter[] = [];

  constructor(slots: number) {
    this.#free = slots;
  }

  acquire(what: string, deadline: number): Promise<() => void> {
    if (this.#free > 0 && this.#queue.length === 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.#releaser());
        },
      };
      const timer = setTimeout(() => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(new LockTimeoutError(what));
      }, Math.max(0, deadline - Date.now()));
      this.#queue.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next.grant(); // the slot passes straight to the next waiter
      else this.#free++;
    };
  }
}
