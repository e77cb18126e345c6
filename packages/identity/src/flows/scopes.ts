import type { ProviderClient } from './provider-client.ts';

export { scopesKey } from '../model.ts';


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

/** OpenID Connect and refresh-token scopes: not resource permissions, and providers often leave them out of a token response's `scope`. */
const NON_RESOURCE_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const GRAPH_PREFIX = 'https://graph.microsoft.com/';

/**
 * The requested resource scopes a token response does not grant (RFC 6749 §3.3, §5.1: an issued scope that
 * differs from the request is returned in `scope`; no `scope` means exactly what was asked). A user who
 * consents to something else (a tampered authorization URL, a narrowed consent) must not leave a token in the
 * vault under a key that claims scopes it lacks. Compared case-insensitively, on spaces or commas (GitHub,
 * Slack), with Entra's Graph short and long forms equal; `.default` requests name no scope to compare.
 */
export function missingScopes(pc: ProviderClient, requested: string[], granted: string | undefined): string[] {
  // Slack's top-level `scope` lists the bot's scopes; a user token's are under `authed_user.scope`.
  if (granted === undefined || pc.quirks.noScopes || pc.doc.vendor === 'SlackOauth2') return [];
  const norm = (s: string) => {
    const l = s.toLowerCase();
    return pc.isEntra && l.startsWith(GRAPH_PREFIX) ? l.slice(GRAPH_PREFIX.length) : l;
  };
  const have = new Set(granted.split(/[\s,]+/).filter(Boolean).map(norm));
  const offline = pc.quirks.offlineAccessScope?.toLowerCase();
  return requested.filter((s) => {
    const n = norm(s);
    return !NON_RESOURCE_SCOPES.has(n) && n !== offline && !n.endsWith('.default') && !have.has(n);
  });
}
