import * as o from 'oauth4webapi';
import type { IdentityServices } from '../services.ts';
import { deleteVault, readVault, vaultId, writeVault, type VaultEntry, type VaultKey } from '../vault/tokens.ts';
import { isFresh } from './freshness.ts';
import { joinScopes, providerError, toProviderTokens, type ProviderClient } from './provider-client.ts';
import { userScopes } from './scopes.ts';

/**
 * Returns a usable access token for a vault row, refreshing it first when it is about to expire. Refresh is
 * single-flight (A.1 item 7, landscape pains #7 and #10): callers in one process share one promise, and
 * instances sharing the store serialise on store.withLock and re-read the row after acquiring it, so a
 * rotating refresh token is redeemed exactly once. The scope is re-sent (with `offline_access` for Entra;
 * pain #11) and a response without a refresh token keeps the old one (pain #8). `invalid_grant` removes
 * the row: the user must consent again, no retry loop. Returns undefined when a new consent is needed.
 */
const inflight = new WeakMap<IdentityServices, Map<string, Promise<string | undefined>>>();

export async function usableAccessToken(services: IdentityServices, pc: ProviderClient, key: VaultKey): Promise<string | undefined> {
  const entry = await readVault(services, key, { refreshToken: false });
  if (!entry) return undefined;
  if (isFresh(entry.expiresAt, services.clock.now())) return entry.accessToken;
  if (!entry.hasRefreshToken) return undefined;
  let m = inflight.get(services);
  if (!m) inflight.set(services, (m = new Map()));
  const id = vaultId(key);
  const running = m.get(id);
  if (running) return running;
  const p = services.store.withLock(`vault-refresh:${id}`, async () => {
    const again = await readVault(services, key);
    if (!again) return undefined;
    if (isFresh(again.expiresAt, services.clock.now())) return again.accessToken;
    if (!again.refreshToken) return undefined;
    return refreshNow(services, pc, key, again);
  }, { timeoutMs: 30_000 });
  m.set(id, p);
  const flights = m;
  try {
    return await p;
  } finally {
    flights.delete(id);
  }
}

async function refreshNow(services: IdentityServices, pc: ProviderClient, key: VaultKey, entry: VaultEntry): Promise<string | undefined> {
  const params = new URLSearchParams();
  if (!pc.quirks.noScopes && key.scopes.length) params.set('scope', joinScopes(pc, userScopes(pc, key.scopes)));
  let tokens;
  try {
    const res = await o.refreshTokenGrantRequest(pc.as, pc.client, pc.auth, entry.refreshToken!, { ...pc.options, additionalParameters: params });
    tokens = toProviderTokens(services, await o.processRefreshTokenResponse(pc.as, pc.client, res));
  } catch (err) {
    if (err instanceof o.ResponseBodyError && err.error === 'invalid_grant') {
      services.logger.info('refresh token rejected by the provider; the user must consent again', { provider: key.providerName, workload: key.workloadName });
      await deleteVault(services, key);
      return undefined;
    }
    throw providerError(key.providerName, err, [...pc.secretValues, entry.refreshToken]);
  }
  await writeVault(services, key, tokens, entry.refreshToken, entry.version);
  return tokens.accessToken;
}
