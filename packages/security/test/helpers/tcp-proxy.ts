import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on loopback between Mandate and PostgreSQL, so a test can take "the database" away without
 * touching the machine's PostgreSQL (other test files use it at the same time). `reset` drops every
 * connection and refuses new ones at once (a crash or restart); `blackhole` accepts and then never answers
 * (a network partition); `up` forwards again.
 */
export type ProxyState = 'up' | 'reset' | 'blackhole' | 'freeze';

export interface TcpProxy {
  port: number;
  state: ProxyState;
  set(state: ProxyState): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const live = new Set<Socket>();
  let state: ProxyState = 'up';
  const server = createServer((client) => {
    live.add(client);
    client.on('close', () => live.delete(client));
    client.on('error', () => undefined);
    if (state === 'reset') return void client.resetAndDestroy();
    if (state === 'blackhole' || state === 'freeze') return; // held open, never answered
    const upstream = connect(targetPort, targetHost);
    live.add(upstream);
    upstream.on('close', () => {
      live.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    // Forward chunk by chunk so a freeze can swallow bytes on connections that stay open.
    client.on('data', (d) => state === 'up' && upstream.write(d));
    upstream.on('data', (d) => state === 'up' && client.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const proxy: TcpProxy = {
    port: (server.address() as AddressInfo).port,
    get state() {
      return state;
    },
    set(next: ProxyState) {
      state = next;
      if (next === 'reset' || next === 'blackhole') for (const s of live) (s.resetAndDestroy ? s.resetAndDestroy() : s.destroy());
    },
    close: async () => {
      for (const s of live) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return proxy;
}
