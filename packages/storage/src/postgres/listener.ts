import pg from 'pg';
import { toStoreError } from './errors.ts';

/**
 * One dedicated connection that LISTENs for every subscribed channel of a store. If the connection
 * drops it reconnects with backoff (100 ms doubling to 5 s) and LISTENs again. Notifications sent
 * while it was down are lost, as with any LISTEN/NOTIFY consumer: subscribers treat them as hints
 * and re-read state from the store.
 */
export class PgListener {
  #makeClient: () => pg.Client;
  #onMessage: (channel: string, payload: string) => void;
  #channels = new Set<string>();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(makeClient: () => pg.Client, onMessage: (channel: string, payload: string) => void) {
    this.#makeClient = makeClient;
    this.#onMessage = onMessage;
  }

  async listen(channel: string): Promise<void> {
    this.#channels.add(channel);
    const client = await this.#ready();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch((err) => Promise.reject(toStoreError(err)));
  }

  async unlisten(channel: string): Promise<void> {
    this.#channels.delete(channel);
    // Failure is harmless: a dropped connection listens to nothing, and a reconnect skips this channel.
    await this.#client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => undefined);
  }

  #ready(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('The store is closed.'));
    if (this.#client) return Promise.resolve(this.#client);
    return (this.#connecting ??= this.#open().finally(() => (this.#connecting = undefined)));
  }

  async #open(): Promise<pg.Client> {
    const client = this.#makeClient();
    client.on('notification', (m) => {
      if (m.payload !== undefined) this.#onMessage(m.channel, m.payload);
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      for (const channel of this.#channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw toStoreError(err);
    }
    this.#client = client;
    return client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    if (!this.#closed && this.#channels.size > 0) this.#reconnect(100);
  }

  #reconnect(delay: number): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#ready().catch(() => {
        if (!this.#closed) this.#reconnect(Math.min(delay * 2, 5000));
      });
    }, delay);
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
