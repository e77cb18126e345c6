type Listener = (payload: string) => void;

/**
 * In-process publish/subscribe. Delivery is asynchronous (a microtask), to listeners subscribed at
 * delivery time, so an unsubscribe takes effect immediately. A listener that throws does not affect
 * the others; its error is reported as a process warning.
 */
export class LocalPubSub {
  #subs = new Map<string, Set<Listener>>();

  deliver(channel: string, payload: string): void {
    const set = this.#subs.get(channel);
    if (!set) return;
    for (const listener of set) {
      queueMicrotask(() => {
        if (!set.has(listener)) return;
        try {
          listener(payload);
        } catch (err) {
          process.emitWarning(`A store subscriber on ${channel} threw: ${(err as Error)?.message ?? String(err)}`);
        }
      });
    }
  }

  /** Adds a listener; returns true when it is the first on its channel. */
  add(channel: string, listener: Listener): boolean {
    let set = this.#subs.get(channel);
    const first = !set;
    if (!set) this.#subs.set(channel, (set = new Set()));
    set.add(listener);
    return first;
  }

  /** Removes a listener; returns true when the channel has no listeners left. */
  remove(channel: string, listener: Listener): boolean {
    const set = this.#subs.get(channel);
    if (!set) return false;
    set.delete(listener);
    if (set.size > 0) return false;
    this.#subs.delete(channel);
    return true;
  }

  channels(): string[] {
    return [...this.#subs.keys()];
  }

  clear(): void {
    this.#subs.clear();
  }
}
