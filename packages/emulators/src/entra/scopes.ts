/**
 * Scope → resource translation (reference §3.1). Entra clients never send `resource`: the audience is
 * chosen by resource-qualified scopes (`api://{appId}/read`, `{resource}/.default`); a bare scope
 * (`User.Read`) or an OIDC-only request means Microsoft Graph.
 */
import type { App, EntraDirectory, Tenant } from './directory.ts';
import { EntraError } from './errors.ts';
import { GRAPH_APP_ID } from './urls.ts';

export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface ResourceRequest {
  /** The resource app, or undefined for Microsoft Graph (not emulated beyond an opaque-to-clients token). */
  app: App | undefined;
  appId: string;
  /** The identifier the client used (matters for v1 `aud`). */
  identifier: string;
  /** Short scope names (`read`), without `.default`. */
  scopes: string[];
  isDefault: boolean;
}

export interface ParsedScopes {
  oidc: Set<string>;
  resources: ResourceRequest[];
}

export function splitScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))];
}

/** Parses and validates a scope parameter; unknown resources or scopes are Entra errors. */
export function parseScopes(dir: EntraDirectory, tenant: Tenant, clientId: string, scope: string | undefined): ParsedScopes {
  const oidc = new Set<string>();
  const byApp = new Map<string, ResourceRequest>();
  for (const s of splitScope(scope)) {
    if (OIDC_SCOPES.has(s)) {
      oidc.add(s);
      continue;
    }
    const slash = s.lastIndexOf('/');
    let identifier: string;
    let name: string;
    let app: App | undefined;
    if (slash <= 0) {
      identifier = 'https://graph.microsoft.com';
      name = s;
    } else {
      identifier = s.slice(0, slash);
      name = s.slice(slash + 1);
      if (!name) throw new EntraError(70011, [`The scope '${s}' is not valid.`]);
      if (identifier === 'https://graph.microsoft.com' || identifier === GRAPH_APP_ID) {
        app = undefined;
      } else {
        const found = dir.findResource(tenant.id, identifier);
        if (!found) throw new EntraError(500011, [identifier, tenant.id]);
        app = found.app;
      }
    }
    const appId = app?.appId ?? GRAPH_APP_ID;
    const req = byApp.get(appId) ?? { app, appId, identifier, scopes: [], isDefault: false };
    if (name === '.default') {
      req.isDefault = true;
    } else {
      if (app && !app.scopes.some((x) => x.value === name)) throw new EntraError(650053, [clientId, name, app.identifierUris[0] ?? app.appId]);
      if (!req.scopes.includes(name)) req.scopes.push(name);
    }
    byApp.set(appId, req);
  }
  for (const r of byApp.values()) {
    if (r.isDefault && r.scopes.length > 0) throw new EntraError(70011, [`'.default' cannot be combined with other scopes of ${r.identifier}.`]);
  }
  return { oidc, resources: [...byApp.values()] };
}

/** The consent keys a request needs: `{resourceAppId}/{scope}`; `.default` = everything consented (or, when nothing is, every exposed scope). */
export function requiredConsent(r: ResourceRequest, consented: Set<string>): string[] {
  if (!r.app) return [];
  if (r.isDefault) {
    const have = r.app.scopes.map((s) => `${r.appId}/${s.value}`).filter((k) => consented.has(k));
    return have.length > 0 ? have : r.app.scopes.map((s) => `${r.appId}/${s.value}`);
  }
  return r.scopes.map((s) => `${r.appId}/${s}`);
}

/** The short scope names a token for `r` carries, given what is consented. */
export function grantedScopes(r: ResourceRequest, consented: Set<string>): string[] {
  if (!r.app) return r.isDefault ? ['User.Read'] : r.scopes.length ? r.scopes : ['User.Read'];
  if (r.isDefault) return r.app.scopes.map((s) => s.value).filter((v) => consented.has(`${r.appId}/${v}`));
  return r.scopes;
}

/** A token request must resolve to exactly one resource (AADSTS700022); OIDC-only means Graph. */
export function singleResource(parsed: ParsedScopes, scope: string, firstWins = false): ResourceRequest {
  if (parsed.resources.length > 1 && !firstWins) throw new EntraError(700022, [scope]);
  return parsed.resources[0] ?? { app: undefined, appId: GRAPH_APP_ID, identifier: 'https://graph.microsoft.com', scopes: ['User.Read'], isDefault: false };
}

/**
 * RFC 8707 `resource`, as Entra accepts it for v2 (2026, its MCP guidance): optional; when sent it must be
 * exactly an Application ID URI of an app in the tenant (AADSTS500011 otherwise), and every resource scope
 * of the request must belong to that same app (AADSTS9010010). MCP clients send it from the protected
 * resource metadata, so an MCP URL that is not an App ID URI is refused here as real Entra refuses it.
 */
export function checkResourceIndicator(dir: EntraDirectory, tenant: Tenant, resource: string | undefined, parsed: ParsedScopes): void {
  if (resource === undefined) return;
  const found = dir.findResource(tenant.id, resource);
  if (!found || !found.app.identifierUris.includes(resource)) throw new EntraError(500011, [resource, tenant.id]);
  for (const r of parsed.resources) if (r.appId !== found.app.appId) throw new EntraError(9010010, [resource]);
}
