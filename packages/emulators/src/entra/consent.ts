/**
 * Consent decisions. Entra stores delegated grants per (user, client) plus tenant-wide admin grants
 * (reference §3.2); the directory keeps both, this module decides what a request still needs.
 */
import type { EntraContext } from './context.ts';
import type { Tenant } from './directory.ts';
import { EntraError } from './errors.ts';
import type { ConsentScope } from './pages.ts';
import { requiredConsent, type ParsedScopes } from './scopes.ts';

/** Consent keys (`{resourceAppId}/{scope}`) the request needs that the user/admin has not granted. */
export function missingConsent(ctx: EntraContext, tenant: Tenant, userId: string, clientId: string, parsed: ParsedScopes): string[] {
  const have = ctx.directory.consentedScopes(tenant, userId, clientId);
  const missing: string[] = [];
  for (const r of parsed.resources) {
    for (const k of requiredConsent(r, have)) if (!have.has(k) && !missing.includes(k)) missing.push(k);
  }
  return missing;
}

/** Throws AADSTS90094 when a missing scope is marked `adminConsentRequired`: users cannot grant it themselves. */
export function assertUserConsentable(ctx: EntraContext, tenant: Tenant, clientId: string, missing: string[]): void {
  for (const k of missing) {
    const slash = k.lastIndexOf('/');
    const app = ctx.directory.findApp(tenant.id, k.slice(0, slash));
    if (app?.scopes.find((s) => s.value === k.slice(slash + 1))?.adminConsentRequired) throw new EntraError(90094, [clientId]);
  }
}

/** What the consent page shows for each key. */
export function describeConsent(ctx: EntraContext, tenant: Tenant, keys: string[]): ConsentScope[] {
  return keys.map((k) => {
    const slash = k.lastIndexOf('/');
    const app = ctx.directory.findApp(tenant.id, k.slice(0, slash));
    const value = k.slice(slash + 1);
    return {
      resourceName: app ? `${app.displayName} (${app.identifierUris[0] ?? app.appId})` : k.slice(0, slash),
      value,
      description: app?.scopes.find((s) => s.value === value)?.description ?? '',
    };
  });
}
