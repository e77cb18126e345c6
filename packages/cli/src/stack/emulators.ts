import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '@mandate/core';
import {
  demoSeed, demoUserPoolSeed, startEntraEmulator, startUserPoolEmulator, trustCa,
  type EntraEmulator, type EntraSeed, type UserPoolEmulator, type UserPoolSeed,
} from '@mandate/emulators';
import { readJsonFile, writeJsonFile } from './files.ts';
import { assertPortFree } from '../server/start-server.ts';

/**
 * The emulators of the dev stack. The seeds they were started with (with generated ids and
 * passwords) are kept in the data directory, so a restart brings back the same tenant, apps and users
 * and tokens issued before stay verifiable.
 */
export async function startDevEntra(dataDir: string, host: string, port: number, logger: Logger): Promise<{ emulator: EntraEmulator; seed: EntraSeed }> {
  const seedFile = join(dataDir, 'entra', 'seed.json');
  let seed = readJsonFile<EntraSeed>(seedFile);
  if (!seed) {
    seed = demoSeed();
    // Fix the users' object ids now so they survive restarts (the emulator generates them otherwise).
    for (const t of seed.tenants) for (const u of t.users ?? []) u.id ??= randomUUID();
    writeJsonFile(seedFile, seed, { secret: true });
  }
  await assertPortFree(host, port, 'the Entra ID emulator');
  const emulator = await startEntraEmulator({ seed, host, port, dataDir: join(dataDir, 'entra'), logger });
  trustCa(emulator.caCertPem);
  return { emulator, seed };
}

export async function startDevUserPool(dataDir: string, host: string, port: number, logger: Logger): Promise<{ emulator: UserPoolEmulator; seed: UserPoolSeed }> {
  const seedFile = join(dataDir, 'userpool', 'seed.json');
  let seed = readJsonFile<UserPoolSeed>(seedFile);
  if (!seed) {
    seed = demoUserPoolSeed();
    writeJsonFile(seedFile, seed, { secret: true });
  }
  await assertPortFree(host, port, 'the user-pool emulator');
  const emulator = await startUserPoolEmulator({ host, port, dataDir: join(dataDir, 'userpool'), seed, logger });
  return { emulator, seed };
}
