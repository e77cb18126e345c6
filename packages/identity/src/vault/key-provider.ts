// The KeyProvider seam itself is declared in ../services.ts (rank 0), next to the other service seams,
// so services.ts need not import upward into vault/; re-exported here for vault's own users.
import type { KeyProvider } from '../services.ts';
export type { KeyProvider, WrappedKey } from '../services.ts';

/** Providers that can create and retire master key versions themselves (the local ring; KMS rotates on its own). */
export interface RotatableKeyProvider extends KeyProvider {
  /** Adds a new master key version and makes it current; returns its id. */
  addKeyVersion(): Promise<string>;
  /** Destroys the key material of a non-current version; it can no longer unwrap anything. */
  retireKey(masterKeyId: string): Promise<void>;
}

export function isRotatable(p: KeyProvider): p is RotatableKeyProvider {
  return typeof (p as Partial<RotatableKeyProvider>).addKeyVersion === 'function' && typeof (p as Partial<RotatableKeyProvider>).retireKey === 'function';
}

/** The encryption context every data key is wrapped with. */
export function dataKeyContext(dataKeyId: string): Record<string, string> {
  return { purpose: 'mandate-data-key', dataKeyId };
}
