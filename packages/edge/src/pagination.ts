import { validationError } from '@mandate/core';
import type { StoreOps, StoredRecord } from '@mandate/storage';

export const DEFAULT_MAX_RESULTS = 10;

/**
 * nextToken is opaque to clients: base64url of `<collection>\n<last id>`. It is only a cursor (ids
 * are ascending), so a forged token can reveal nothing a List would not; a token for another
 * collection or one that does not decode is a ValidationException.
 */
export function encodeNextToken(collection: string, lastId: string): string {
  return Buffer.from(`${collection}\n${lastId}`, 'utf8').toString('base64url');
}

export function decodeNextToken(collection: string, token: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const nl = text.indexOf('\n');
  if (nl === -1 || text.slice(0, nl) !== collection || nl === text.length - 1) {
    throw validationError('The nextToken is not valid for this operation. Pass the nextToken from the previous response unchanged.', [
      { name: 'nextToken', message: 'Member is not a valid pagination token' },
    ]);
  }
  return text.slice(nl + 1);
}

export async function listPage<T>(store: StoreOps, collection: string, input: { nextToken?: string | undefined; maxResults?: number | undefined }): Promise<{ items: StoredRecord<T>[]; nextToken?: string }> {
  const after = input.nextToken === undefined ? undefined : decodeNextToken(collection, input.nextToken);
  const limit = input.maxResults ?? DEFAULT_MAX_RESULTS;
  const page = await store.list<T>(collection, after === undefined ? { limit } : { after, limit });
  const last = page.items.at(-1);
  return page.next !== undefined && last ? { items: page.items, nextToken: encodeNextToken(collection, last.id) } : { items: page.items };
}

/** A page of the documents whose ids start with `prefix` (a parent's children); a cursor from outside the prefix is refused. */
export async function pageByPrefix<T>(store: StoreOps, collection: string, prefix: string, input: { nextToken?: string | undefined; maxResults?: number | undefined }): Promise<{ items: T[]; nextToken?: string }> {
  const after = input.nextToken === undefined ? undefined : decodeNextToken(collection, input.nextToken);
  if (after !== undefined && !after.startsWith(prefix)) throw validationError('The nextToken is not valid for this operation.', [{ name: 'nextToken', message: 'Member is not a valid pagination token' }]);
  const limit = input.maxResults ?? DEFAULT_MAX_RESULTS;
  const page = await store.list<T>(collection, after === undefined ? { prefix, limit } : { prefix, after, limit });
  const last = page.items.at(-1);
  const items = page.items.map((r) => r.doc);
  return page.next !== undefined && last ? { items, nextToken: encodeNextToken(collection, last.id) } : { items };
}
