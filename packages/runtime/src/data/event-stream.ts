import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** The AWS event stream framing (application/vnd.amazon.eventstream) the official clients decode: prelude, headers, payload, CRCs. */
const codec = new EventStreamCodec(toUtf8, fromUtf8);

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const str = (value: string) => ({ type: 'string' as const, value });

/** One event of a restJson1 event stream: `eventType` is the union member's name, `payload` its structure as JSON. */
export function eventMessage(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('event'), ':event-type': str(eventType), ':content-type': str('application/json') },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** A modelled error inside the stream (the union's error members, e.g. `runtimeClientError`), after the 200 has gone out. */
export function exceptionMessage(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('exception'), ':exception-type': str(exceptionType), ':content-type': str('application/json') },
    body: fromUtf8(JSON.stringify({ message })),
  });
}
