/**
 * Canonical associated data for AES-GCM: the record a secret belongs to, bound to the ciphertext so
 * that a value copied to another row, or a row whose context was edited, no longer opens (the KMS
 * "encryption context" idea). The encoding is JSON of an array, [label, version, keyId, [[k, v]...]]
 * with entries sorted by key (UTF-16 code unit order): JSON string escaping makes every boundary
 * unambiguous, so no two different contexts encode to the same bytes.
 */
export function canonicalAad(label: string, version: number, keyId: string, context: Readonly<Record<string, string>>): Buffer {
  const keys = Object.keys(context).sort();
  const entries: [string, string][] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = context[k];
    if (typeof v !== 'string') throw new TypeError(`encryption context value "${k}" must be a string`);
    entries[i] = [k, v];
  }
  return Buffer.from(JSON.stringify([label, version, keyId, entries]), 'utf8');
}
