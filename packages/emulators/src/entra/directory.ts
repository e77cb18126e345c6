/**
 * The emulated directory: tenants, users, app registrations, consent grants. Every flow looks
 * clients up here per request, so changes through the admin API take effect immediately.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual, X509Certificate, type KeyObject } from 'node:crypto';
import { thumbprints } from '../tls/certificates.ts';
import {
  appSeedSchema, userSeedSchema, parseSeed, formatIssues, SeedError,
  type AppSeed, type UserSeed, type ParsedApp, type ParsedTenant, type EntraSeed,
} from './seed.ts';

export interface User {
  id: string;
  username: string;
  password: string;
  displayName: string;
  email: string | undefined;
  appRoles: Record<string, string[]>;
}

export interface ClientSecret {
  id: string;
  hint: string;
  value: string;
  expiresAt: number | undefined;
}

export interface CertificateCredential {
  x5t: string;
  x5tS256: string;
  publicKey: KeyObject;
}

export interface App extends Omit<ParsedApp, 'clientSecrets' | 'certificates' | 'identifierUris'> {
  homeTenantId: string;
  identifierUris: string[];
  clientSecrets: ClientSecret[];
  certificates: CertificateCredential[];
}

export interface Tenant {
  id: string;
  displayName: string;
  domains: string[];
  users: Map<string, User>;
  apps: Map<string, App>;
  /** client app id → consented scope keys (`{resourceAppId}/{scope}`). */
  adminConsents: Map<string, Set<string>>;
  /** `{oid}|{clientAppId}` → consented scope keys. */
  userConsents: Map<string, Set<string>>;
}

/** Public (secret-free) views returned by the admin API. */
export interface TenantView { id: string; displayName: string; domains: string[]; userCount: number; appCount: number }
export interface UserView { id: string; username: string; displayName: string; email?: string }
export interface AppView {
  appId: string; displayName: string; homeTenantId: string; signInAudience: string; redirectUris: string[];
  publicClient: boolean; identifierUris: string[]; scopes: string[]; appRoles: string[];
  clientSecrets: { id: string; hint: string; expiresAt?: string }[]; certificateThumbprints: string[];
  accessTokenAcceptedVersion: 1 | 2;
}

export class DirectoryError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class EntraDirectory {
  readonly #tenants = new Map<string, Tenant>();
  readonly #domains = new Map<string, string>();

  constructor(seed: EntraSeed) {
    const parsed = parseSeed(seed);
    for (const t of parsed.tenants) this.#addTenant(t);
    // Admin consents reference resources by URI, so resolve them once every tenant's apps exist.
    for (const t of parsed.tenants) {
      for (const [clientId, scopes] of Object.entries(t.adminConsents)) this.grantAdminConsent(t.id, clientId, scopes);
    }
  }

  #addTenant(seed: ParsedTenant): void {
    if (this.#tenants.has(seed.id)) throw new SeedError(`Invalid Entra emulator seed: tenant ${seed.id} is listed twice`);
    const tenant: Tenant = {
      id: seed.id, displayName: seed.displayName, domains: seed.domains.map((d) => d.toLowerCase()),
      users: new Map(), apps: new Map(), adminConsents: new Map(), userConsents: new Map(),
    };
    this.#tenants.set(seed.id, tenant);
    for (const d of tenant.domains) {
      if (this.#domains.has(d)) throw new SeedError(`Invalid Entra emulator seed: domain ${d} belongs to two tenants`);
      this.#domains.set(d, seed.id);
    }
    for (const u of seed.users) this.addUser(seed.id, u);
    for (const a of seed.apps) this.addApp(seed.id, a);
  }

  /** A tenant by GUID or by one of its domain aliases (case-insensitive). */
  resolveTenant(idOrDomain: string): Tenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.#tenants.get(key) ?? this.#tenants.get(this.#domains.get(key) ?? '');
  }

  #tenant(idOrDomain: string): Tenant {
    const t = this.resolveTenant(idOrDomain);
    if (!t) throw new DirectoryError(404, `Tenant '${idOrDomain}' not found.`);
    return t;
  }

  listTenants(): TenantView[] {
    return [...this.#tenants.values()].map((t) => ({ id: t.id, displayName: t.displayName, domains: [...t.domains], userCount: t.users.size, appCount: t.apps.size }));
  }

  listUsers(tenant: string): UserView[] {
    return [...this.#tenant(tenant).users.values()].map(userView);
  }

  listApps(tenant: string): AppView[] {
    return [...this.#tenant(tenant).apps.values()].map(appView);
  }

  addUser(tenant: string, input: UserSeed): UserView {
    const t = this.#tenant(tenant);
    const r = userSeedSchema.safeParse(input);
    if (!r.success) throw new DirectoryError(400, `Invalid user:\n${formatIssues(r.error)}`);
    const u = r.data;
    const username = u.username.toLowerCase();
    if ([...t.users.values()].some((x) => x.username === username)) throw new DirectoryError(409, `User ${username} already exists in tenant ${t.id}.`);
    const id = u.id ?? randomUUID();
    if (t.users.has(id)) throw new DirectoryError(409, `A user with id ${id} already exists in tenant ${t.id}.`);
    const user: User = { id, username, password: u.password, displayName: u.displayName ?? username.split('@')[0]!, email: u.email, appRoles: u.appRoles ?? {} };
    t.users.set(id, user);
    return userView(user);
  }

  addApp(tenant: string, input: AppSeed): AppView {
    const t = this.#tenant(tenant);
    const r = appSeedSchema.safeParse(input);
    if (!r.success) throw new DirectoryError(400, `Invalid app registration:\n${formatIssues(r.error)}`);
    const a = r.data;
    if (this.#findAnyApp(a.appId)) throw new DirectoryError(409, `An app with appId ${a.appId} already exists.`);
    let certificates: CertificateCredential[];
    try {
      certificates = a.certificates.map((pem) => ({ ...thumbprints(pem), publicKey: new X509Certificate(pem).publicKey }));
    } catch {
      throw new DirectoryError(400, `Invalid app registration:\n  certificates: not a parseable PEM certificate`);
    }
    const app: App = {
      ...a,
      homeTenantId: t.id,
      identifierUris: a.identifierUris ?? [`api://${a.appId}`],
      clientSecrets: a.clientSecrets.map((s) => newSecret(s.value, s.expiresAt)),
      certificates,
    };
    t.apps.set(app.appId, app);
    return appView(app);
  }

  addRedirectUri(tenant: string, appId: string, uri: string): AppView {
    const app = this.#ownApp(tenant, appId);
    if (!URL.canParse(uri)) throw new DirectoryError(400, `Invalid redirect URI '${uri}'.`);
    if (!app.redirectUris.includes(uri)) app.redirectUris.push(uri);
    return appView(app);
  }

  removeRedirectUri(tenant: string, appId: string, uri: string): AppView {
    const app = this.#ownApp(tenant, appId);
    const i = app.redirectUris.indexOf(uri);
    if (i === -1) throw new DirectoryError(404, `Redirect URI '${uri}' is not registered for app ${appId}.`);
    app.redirectUris.splice(i, 1);
    return appView(app);
  }

  /** Adds a client secret (generated when `value` is absent) and returns its value once. */
  addClientSecret(tenant: string, appId: string, options: { value?: string; expiresAt?: string } = {}): { id: string; hint: string; value: string; expiresAt?: string } {
    const app = this.#ownApp(tenant, appId);
    if (options.value !== undefined && options.value.length < 16) throw new DirectoryError(400, 'A client secret must be at least 16 characters.');
    if (options.expiresAt !== undefined && Number.isNaN(Date.parse(options.expiresAt))) throw new DirectoryError(400, 'expiresAt must be an ISO date.');
    const s = newSecret(options.value ?? randomBytes(30).toString('base64url'), options.expiresAt);
    app.clientSecrets.push(s);
    return { id: s.id, hint: s.hint, value: s.value, ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}) };
  }

  /** Tenant-wide delegated consent for `clientId` to fully qualified scopes (`api://{appId}/read`). */
  grantAdminConsent(tenant: string, clientId: string, scopes: string[]): { clientId: string; scopes: string[] } {
    const t = this.#tenant(tenant);
    if (!this.findApp(t.id, clientId)) throw new DirectoryError(404, `App ${clientId} not found in tenant ${t.id}.`);
    const set = t.adminConsents.get(clientId) ?? new Set<string>();
    for (const s of scopes) {
      const slash = s.lastIndexOf('/');
      const res = slash > 0 ? this.findResource(t.id, s.slice(0, slash)) : undefined;
      const name = s.slice(slash + 1);
      if (!res || !res.app.scopes.some((x) => x.value === name)) throw new DirectoryError(400, `Scope '${s}' is not exposed by any app in tenant ${t.id}.`);
      set.add(`${res.app.appId}/${name}`);
    }
    t.adminConsents.set(clientId, set);
    return { clientId, scopes: [...set] };
  }

  /** An app usable in `tenantId`: registered there, or multi-tenant and registered anywhere. */
  findApp(tenantId: string, appId: string): App | undefined {
    const own = this.#tenants.get(tenantId)?.apps.get(appId);
    if (own) return own;
    const any = this.#findAnyApp(appId);
    return any?.signInAudience === 'AzureADMultipleOrgs' ? any : undefined;
  }

  /** Resolves a resource identifier (Application ID URI or app id GUID) visible in `tenantId`. */
  findResource(tenantId: string, identifier: string): { app: App; identifier: string } | undefined {
    const byId = this.findApp(tenantId, identifier);
    if (byId) return { app: byId, identifier };
    for (const t of this.#tenants.values()) {
      for (const app of t.apps.values()) {
        if (app.identifierUris.includes(identifier) && this.findApp(tenantId, app.appId)) return { app, identifier };
      }
    }
    return undefined;
  }

  findUserByName(tenant: Tenant, username: string): User | undefined {
    const name = username.toLowerCase();
    for (const u of tenant.users.values()) if (u.username === name) return u;
    return undefined;
  }

  /** Constant-time password check. */
  checkPassword(user: User, password: string): boolean {
    const a = createHash('sha256').update(user.password).digest();
    const b = createHash('sha256').update(password).digest();
    return timingSafeEqual(a, b);
  }

  /** Consented scope keys (`{resourceAppId}/{scope}`) for a user and client: user grants plus admin grants. */
  consentedScopes(tenant: Tenant, userId: string, clientId: string): Set<string> {
    const out = new Set<string>(tenant.adminConsents.get(clientId) ?? []);
    for (const s of tenant.userConsents.get(`${userId}|${clientId}`) ?? []) out.add(s);
    return out;
  }

  grantUserConsent(tenant: Tenant, userId: string, clientId: string, keys: Iterable<string>): void {
    const k = `${userId}|${clientId}`;
    const set = tenant.userConsents.get(k) ?? new Set<string>();
    for (const s of keys) set.add(s);
    tenant.userConsents.set(k, set);
  }

  /** The service principal object id of an app in a tenant (stable, distinct per tenant). */
  servicePrincipalId(tenantId: string, appId: string): string {
    return guidFromHash(`sp:${tenantId}:${appId}`);
  }

  #findAnyApp(appId: string): App | undefined {
    for (const t of this.#tenants.values()) {
      const a = t.apps.get(appId);
      if (a) return a;
    }
    return undefined;
  }

  #ownApp(tenant: string, appId: string): App {
    const t = this.#tenant(tenant);
    const app = t.apps.get(appId);
    if (!app) throw new DirectoryError(404, `App ${appId} is not registered in tenant ${t.id}.`);
    return app;
  }
}

function newSecret(value: string, expiresAt?: string): ClientSecret {
  return { id: randomUUID(), hint: value.slice(0, 3), value, expiresAt: expiresAt ? Date.parse(expiresAt) : undefined };
}

function userView(u: User): UserView {
  return { id: u.id, username: u.username, displayName: u.displayName, ...(u.email ? { email: u.email } : {}) };
}

function appView(a: App): AppView {
  return {
    appId: a.appId, displayName: a.displayName, homeTenantId: a.homeTenantId, signInAudience: a.signInAudience,
    redirectUris: [...a.redirectUris], publicClient: a.publicClient, identifierUris: [...a.identifierUris],
    scopes: a.scopes.map((s) => s.value), appRoles: a.appRoles.map((r) => r.value),
    clientSecrets: a.clientSecrets.map((s) => ({ id: s.id, hint: s.hint, ...(s.expiresAt ? { expiresAt: new Date(s.expiresAt).toISOString() } : {}) })),
    certificateThumbprints: a.certificates.map((c) => c.x5t), accessTokenAcceptedVersion: a.accessTokenAcceptedVersion,
  };
}

/** A GUID-shaped value derived from a hash (for stable service-principal ids and the like). */
export function guidFromHash(input: string): string {
  const h = createHash('sha256').update(input).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
