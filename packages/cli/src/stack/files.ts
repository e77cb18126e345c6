import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../command.ts';

/** Reads a JSON file the stack wrote earlier; a corrupted one is a clear error, never a crash. */
export function readJsonFile<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    throw new UserError(`${path} is corrupted (not valid JSON).`, `Delete the data directory (${dirname(path)}) to start from scratch, or restore the file.`);
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file; secrets get mode 0600. */
export function writeJsonFile(path: string, value: unknown, options: { secret?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: options.secret ? 0o600 : 0o644 });
  renameSync(tmp, path);
  if (options.secret) chmodSync(path, 0o600);
}
