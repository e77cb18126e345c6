import type { ProviderClient } from './provider-client.ts';

export { scopesKey } from '../model.ts';


/**
 * Client-credentials scopes of a vendor with m2mScopeSuffix (Entra: `/.default`, entra-id.md §3.1, §4):
 * `api://app/read` becomes `api://app/.default`, a bare scope becomes `<m2mDefaultResource>/.default`
 * (Entra: `https://graph.microsoft.com/.default`).
 */
export function m2mScopes(pc: ProviderClient, scopes: string[]): string[] {
  const suffix = pc.quirks.m2mScopeSuffix;
  if (!suffix) return scopes;
  const bare = pc.quirks.m2mDefaultResource;
  const out = scopes.map((s) => {
    if (s.endsWith(suffix)) return s;
    const i = s.lastIndexOf('/');
    if (i <= 0) return bare === undefined ? s : `${bare}${suffix}`;
    return s.slice(0, i) + suffix;
  });
  return [...new Set(out)];
}

/** Scopes sent at /authorize and on refresh: the requested ones plus the vendor's refresh-token scope (Entra `offline_access`). */
export function userScopes(pc: ProviderClient, scopes: string[]): string[] {
  const offline = pc.quirks.offlineAccessScope;
  return offline && !scopes.includes(offline) ? [...scopes, offline] : scopes;
}

/** OpenID Connect and refresh-token scopes: not resource permissions, and providers often leave them out of a token response's `scope`. */
const NON_RESOURCE_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/**
 * The requested resource scopes a token response does not grant (RFC 6749 §3.3, §5.1: an issued scope that
 * differs from the request is returned in `scope`; no `scope` means exactly what was asked). A user who
 * consents to something else (a tampered authorization URL, a narrowed consent) must not leave a token in the
 * vault under a key that claims scopes it lacks. Compared case-insensitively, on spaces or commas (GitHub,
 * Slack), with a vendor's grantedScopePrefix form equal to the short one (Entra's Graph); `.default` requests
 * name no scope to compare.
 */
export function missingScopes(pc: ProviderClient, requested: string[], granted: string | undefined): string[] {
  // A vendor whose `scope` is not the user's grant (Slack's lists the bot's) is not compared.
  if (granted === undefined || pc.quirks.noScopes || pc.quirks.grantedScopeUnreliable) return [];
  const prefix = pc.quirks.grantedScopePrefix?.toLowerCase();
  const norm = (s: string) => {
    const l = s.toLowerCase();
    return prefix !== undefined && l.startsWith(prefix) ? l.slice(prefix.length) : l;
  };
  const have = new Set(granted.split(/[\s,]+/).filter(Boolean).map(norm));
  const offline = pc.quirks.offlineAccessScope?.toLowerCase();
  return requested.filter((s) => {
    const n = norm(s);
    return !NON_RESOURCE_SCOPES.has(n) && n !== offline && !n.endsWith('.default') && !have.has(n);
  });
}
