/**
 * A minimal SSE reader over fetch (WHATWG HTML "server-sent events" parsing: `event:`/`data:` lines,
 * blank-line dispatch, `:` comments ignored). Events are read one at a time so a test can act between them.
 */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next event, or undefined when the stream ends. */
  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const boundary = this.#buffer.indexOf('\n\n');
      if (boundary !== -1) {
        const block = this.#buffer.slice(0, boundary);
        this.#buffer = this.#buffer.slice(boundary + 2);
        const event = parseBlock(block);
        if (event) return event;
        continue;
      }
      const { value, done } = await this.#reader.read();
      if (done) return undefined;
      this.#buffer += this.#decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    }
  }

  /** Stops reading (closes the connection). */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }

  async rest(): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let e = await this.next(); e; e = await this.next()) events.push(e);
    return events;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}

/** Joins the text deltas (`data: "<json string>"` message events) of a stream. */
export function textOf(events: readonly SseEvent[]): string {
  return events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as string).join('');
}
