import { hash } from 'node:crypto';
import { collections, type UserBinding } from '../model.ts';
import type { IdentityServices } from '../services.ts';
import type { SealedSecret } from '@mandate/core';
import type { StoreOps } from '@mandate/storage';
import type { ProviderTokens } from '../model.ts';
import { userKey } from '../workload/token.ts';
import { scopesKey } from '../model.ts';

/**
 * The token vault: one row per (workload, user, provider, scope set). Tokens are sealed by the SecretBox
 * with that tuple as context (A.3 item 20), so a row copied or swapped onto another key fails to open
 * instead of serving one user's token to another.
 */
export interface VaultKey {
  workloadName: string;
  user: UserBinding;
  providerName: string;
  scopes: string[];
}

export interface VaultTokenDoc {
  workloadName: string;
  userKey: string;
  providerName: string;
  scopesKey: string;
  accessToken: SealedSecret;
  refreshToken?: SealedSecret;
  /** Epoch ms; absent when the provider gave no expiry. */
  expiresAt?: number;
  updatedTime: number;
}

export interface VaultEntry {
  id: string;
  version: number;
  accessToken: string;
  refreshToken?: string;
  hasRefreshToken?: boolean;
  expiresAt?: number;
}

function parts(k: VaultKey): { workload: string; user: string; provider: string; scopes: string } {
  return { workload: k.workloadName, user: userKey(k.user), provider: k.providerName, scopes: scopesKey(k.scopes) };
}

type Parts = ReturnType<typeof parts>;

function idOf(p: Parts): string {
  return hash('sha256', `${p.workload}\u0000${p.user}\u0000${p.provider}\u0000${p.scopes}`, 'base64url');
}

export function vaultId(k: VaultKey): string {
  return idOf(parts(k));
}

function contextOf(p: Parts, field: 'access' | 'refresh'): Record<string, string> {
  return { kind: 'vault-token', field, workload: p.workload, user: p.user, provider: p.provider, scopes: p.scopes };
}


/**
 * Reads and opens a vault row; undefined when absent. A row that fails to open is treated as absent and
 * logged. The refresh token is only opened when asked for (the hot path needs the access token alone).
 */
export async function readVault(services: IdentityServices, k: VaultKey, options: { refreshToken?: boolean } = {}): Promise<VaultEntry | undefined> {
  // The hot path (a vault hit) runs through here: the key parts are derived once for the id and both contexts.
  const p = parts(k);
  const id = idOf(p);
  const rec = await services.store.get<VaultTokenDoc>(collections.vaultTokens, id);
  if (!rec) return undefined;
  try {
    const out: VaultEntry = { id, version: rec.version, accessToken: await services.secrets.open(rec.doc.accessToken, contextOf(p, 'access')) };
    out.hasRefreshToken = rec.doc.refreshToken !== undefined;
    if (rec.doc.refreshToken && options.refreshToken !== false) out.refreshToken = await services.secrets.open(rec.doc.refreshToken, contextOf(p, 'refresh'));
    if (rec.doc.expiresAt !== undefined) out.expiresAt = rec.doc.expiresAt;
    return out;
  } catch {
    services.logger.error('vault row failed to decrypt under its own key; ignoring it', { vaultId: id, provider: k.providerName, workload: k.workloadName });
    return undefined;
  }
}

/**
 * Writes tokens for a key. A response without a refresh token keeps the previous one (landscape pain #8);
 * with `expectedVersion`, the write is a compare-and-swap and returns false when someone else wrote first.
 */
export async function writeVault(services: IdentityServices, k: VaultKey, tokens: ProviderTokens, previousRefreshToken?: string, expectedVersion?: number): Promise<boolean> {
  const doc = await sealVaultDoc(services, k, tokens, previousRefreshToken);
  const id = vaultId(k);
  if (expectedVersion === undefined) {
    await services.store.put(collections.vaultTokens, id, doc);
    return true;
  }
  return (await services.store.update(collections.vaultTokens, id, doc, expectedVersion)) !== undefined;
}

/** Seals a row without writing it, for callers that write inside a transaction. */
export async function sealVaultDoc(services: IdentityServices, k: VaultKey, tokens: ProviderTokens, previousRefreshToken?: string): Promise<VaultTokenDoc> {
  const p = parts(k);
  const doc: VaultTokenDoc = {
    workloadName: p.workload,
    userKey: p.user,
    providerName: p.provider,
    scopesKey: p.scopes,
    accessToken: await services.secrets.seal(tokens.accessToken, contextOf(p, 'access')),
    updatedTime: services.clock.now(),
  };
  const refresh = tokens.refreshToken ?? previousRefreshToken;
  if (refresh) doc.refreshToken = await services.secrets.seal(refresh, contextOf(p, 'refresh'));
  if (tokens.expiresAt !== undefined) doc.expiresAt = tokens.expiresAt;
  return doc;
}

/** Writes a row sealed by sealVaultDoc inside the caller's transaction (the row's id is derived here, never by the caller). */
export async function putVaultRow(tx: StoreOps, k: VaultKey, doc: VaultTokenDoc): Promise<void> {
  await tx.put(collections.vaultTokens, vaultId(k), doc);
}

export async function deleteVault(services: IdentityServices, k: VaultKey): Promise<void> {
  await services.store.delete(collections.vaultTokens, vaultId(k));
}
