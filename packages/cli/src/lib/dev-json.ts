import { join } from 'node:path';
import { UserError } from '../command.ts';
import type { DevJson } from '../stack/dev-json.ts';
import { readJsonFile } from '../stack/files.ts';

/** Reads the running dev stack's dev.json, or explains how to start it. */
export function loadDevJson(cwd: string, env: NodeJS.ProcessEnv, dataDir?: string): DevJson {
  const dir = dataDir ?? env.MANDATE_DATA_DIR ?? join(cwd, '.mandate');
  const path = join(dir, 'dev.json');
  const d = readJsonFile<DevJson>(path);
  if (!d) throw new UserError(`No local stack found (${path} does not exist).`, 'Start it with `npm start` (or `npx mandate dev`) in another terminal, then run this again.');
  return d;
}

/** Fails clearly when the stack in dev.json is not answering. */
export async function assertStackUp(d: DevJson): Promise<void> {
  try {
    await fetch(`${d.runtime.dataPlaneEndpoint}/ping`, { signal: AbortSignal.timeout(3000) });
  } catch {
    throw new UserError(`The local stack at ${d.runtime.dataPlaneEndpoint} is not answering.`, 'Start it with `npm start` (it keeps its state), then run this again.');
  }
}
