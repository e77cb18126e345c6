import { MandateError } from '@mandate/core';
import type { StoreOps } from '@mandate/storage';
import { collections } from '../model.ts';

/** Epoch seconds as a JSON number: the restJson1 default timestamp format (reference §1.5). */
export const seconds = (ms: number): number => ms / 1000;

export function notFound(what: string, name: string): MandateError {
  return new MandateError('not_found', `The ${what} ${name} does not exist.`);
}

export function alreadyExists(what: string, name: string): MandateError {
  return new MandateError('conflict', `${/^[AEIOU]/.test(what) ? 'An' : 'A'} ${what} named ${name} already exists.`);
}

/** Stores the tags given at creation (same transaction as the resource). */
export async function writeTags(tx: StoreOps, arn: string, tags: Record<string, string> | undefined): Promise<void> {
  if (tags && Object.keys(tags).length > 0) await tx.put(collections.tags, arn, { tags });
}

export async function readTags(store: StoreOps, arn: string): Promise<Record<string, string>> {
  return (await store.get<{ tags: Record<string, string> }>(collections.tags, arn))?.doc.tags ?? {};
}

export async function deleteTags(tx: StoreOps, arn: string): Promise<void> {
  await tx.delete(collections.tags, arn);
}
