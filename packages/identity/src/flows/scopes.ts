import type { ProviderClient } from './provider-client.ts';

/** Canonical scope set: unique, sorted, space-joined. Vault rows are keyed by it (least privilege, A.1 item 10). */
export function scopesKey(scopes: string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

/**
 * Client-credentials scopes for Entra must be `<resource>/.default` (entra-id.md §3.1, §4): `api://app/read`
 * becomes `api://app/.default`, a bare Graph scope becomes `https://graph.microsoft.com/.default`.
 */
export function m2mScopes(pc: ProviderClient, scopes: string[]): string[] {
  const suffix = pc.quirks.m2mScopeSuffix ?? (pc.isEntra ? '/.default' : undefined);
  if (!suffix) return scopes;
  const out = scopes.map((s) => {
    if (s.endsWith(suffix)) return s;
    const i = s.lastIndexOf('/');
    if (i <= 0) return `https://graph.microsoft.com${suffix}`;
    return s.slice(0, i) + suffix;
  });
  return [...new Set(out)];
}

/** Scopes sent at /authorize and on refresh: the requested ones plus the vendor's refresh-token scope (Entra `offline_access`). */
export function userScopes(pc: ProviderClient, scopes: string[]): string[] {
  const offline = pc.quirks.offlineAccessScope ?? (pc.isEntra ? 'offline_access' : undefined);
  return offline && !scopes.includes(offline) ? [...scopes, offline] : scopes;
}
