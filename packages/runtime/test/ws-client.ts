import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';

export interface Opened {
  ws: WebSocket;
  /** The 101 response's headers. */
  headers: IncomingMessage['headers'];
  /** Text frames as parsed JSON, binary frames as Buffers, in arrival order. */
  next(): Promise<unknown>;
  closed: Promise<{ code: number; reason: string }>;
}

export interface Refused {
  status: number;
  errorType: string | undefined;
  body: unknown;
}

/** Opens a WebSocket; resolves with the open socket, or with the HTTP refusal (status, AWS error type, JSON body). */
export function openWs(url: string, protocols: string[], options: ClientOptions = {}): Promise<Opened | Refused> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    const queue: unknown[] = [];
    const waiting: ((v: unknown) => void)[] = [];
    ws.on('message', (data, isBinary) => {
      const v = isBinary ? Buffer.from(data as Buffer) : JSON.parse(data.toString());
      const w = waiting.shift();
      if (w) w(v);
      else queue.push(v);
    });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.once('upgrade', (res) => {
      ws.once('open', () => resolve({
        ws,
        headers: res.headers,
        next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r))),
        closed,
      }));
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, errorType: res.headers['x-amzn-errortype'] as string | undefined, body: text ? JSON.parse(text) : undefined }));
    });
    ws.once('error', (err) => {
      if (ws.readyState !== ws.OPEN) reject(err);
    });
  });
}

export function isOpened(x: Opened | Refused): x is Opened {
  return 'ws' in x;
}
