import { ServerResponse } from 'node:http';

/**
 * Records the bytes of every HTTP response this process's servers send (status, request path, body), by
 * wrapping ServerResponse.write/end. Canary tests filter by the server's port. Call stop() to unwrap.
 */
export interface RecordedResponse {
  port: number | undefined;
  method: string;
  path: string;
  status: number;
  headers: string;
  body: string;
}

export function recordResponses(): { responses: RecordedResponse[]; stop(): void } {
  const responses: RecordedResponse[] = [];
  const chunks = new WeakMap<ServerResponse, Buffer[]>();
  const origWrite = ServerResponse.prototype.write;
  const origEnd = ServerResponse.prototype.end;
  const keep = (res: ServerResponse, chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const list = chunks.get(res) ?? [];
    list.push(Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding) : Buffer.from(chunk as Uint8Array));
    chunks.set(res, list);
  };
  ServerResponse.prototype.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(this, chunk, rest[0]);
    return (origWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof origWrite;
  ServerResponse.prototype.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(this, chunk, rest[0]);
    responses.push({
      port: this.req?.socket?.localPort,
      method: this.req?.method ?? '',
      path: (this.req?.url ?? '').split('?')[0]!,
      status: this.statusCode,
      headers: JSON.stringify(this.getHeaders()),
      body: Buffer.concat(chunks.get(this) ?? []).toString('utf8'),
    });
    return (origEnd as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as typeof origEnd;
  return {
    responses,
    stop: () => {
      ServerResponse.prototype.write = origWrite;
      ServerResponse.prototype.end = origEnd;
    },
  };
}
