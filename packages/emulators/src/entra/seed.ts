/**
 * The emulator's directory seed: tenants with their users and app registrations, validated with zod
 * so a bad seed fails at start-up with the path of every problem. Documented in docs/emulators.md.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case GUID');
const scopeName = z.string().regex(/^[A-Za-z0-9_.-]{1,120}$/, 'must be letters, digits, ".", "_" or "-"');

export const userSeedSchema = z.object({
  /** Object id (`oid`); generated when absent. */
  id: guid.optional(),
  /** The user principal name, e.g. `alice@contoso.onmicrosoft.com`; also the login name. */
  username: z.string().regex(/^[^\s@]+@[^\s@]+$/, 'must look like user@domain'),
  password: z.string().min(1),
  displayName: z.string().min(1).optional(),
  email: z.string().optional(),
  /** App-role assignments of this user: resource app id → role values (emitted as `roles` in delegated tokens). */
  appRoles: z.record(guid, z.array(z.string())).optional(),
}).strict();

export const secretSeedSchema = z.object({
  value: z.string().min(16, 'a client secret must be at least 16 characters'),
  /** ISO date; an expired secret gives AADSTS7000222. */
  expiresAt: z.iso.datetime().optional(),
}).strict();

export const appSeedSchema = z.object({
  appId: guid,
  displayName: z.string().min(1),
  /** `AzureADMyOrg` = single tenant, `AzureADMultipleOrgs` = any tenant of this emulator. */
  signInAudience: z.enum(['AzureADMyOrg', 'AzureADMultipleOrgs']).default('AzureADMyOrg'),
  /** Exact-match redirect URIs (web and public-client/native alike). */
  redirectUris: z.array(z.url()).default([]),
  /** "Allow public client flows": no credential required (device code, native apps). */
  publicClient: z.boolean().default(false),
  clientSecrets: z.array(secretSeedSchema).default([]),
  /** PEM certificates whose private keys the client signs `client_assertion`s with. */
  certificates: z.array(z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' })).default([]),
  /** Application ID URIs; `api://{appId}` when absent. */
  identifierUris: z.array(z.string().min(1)).optional(),
  /** Delegated permissions this app exposes (`api://{appId}/{value}`). */
  scopes: z.array(z.object({ value: scopeName, adminConsentRequired: z.boolean().default(false), description: z.string().optional() }).strict()).default([]),
  /** App roles this app defines (granted to other apps for client credentials, or to users). */
  appRoles: z.array(z.object({ value: scopeName, description: z.string().optional() }).strict()).default([]),
  /** Application permissions granted to THIS app (admin-consented): resource app id → role values. */
  grantedAppRoles: z.record(guid, z.array(scopeName)).default({}),
  /** Token shape for tokens issued FOR this app as a resource (v1 or v2). */
  accessTokenAcceptedVersion: z.union([z.literal(1), z.literal(2)]).default(2),
}).strict();

export const tenantSeedSchema = z.object({
  id: guid,
  displayName: z.string().min(1).default('Emulated tenant'),
  /** Domain aliases, e.g. `contoso.onmicrosoft.com` (the issuer always uses the GUID). */
  domains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a DNS name')).default([]),
  users: z.array(userSeedSchema).default([]),
  apps: z.array(appSeedSchema).default([]),
  /** Tenant-wide (admin) delegated consent: client app id → fully qualified scopes (`api://{appId}/read`). */
  adminConsents: z.record(guid, z.array(z.string())).default({}),
}).strict();

export const entraSeedSchema = z.object({ tenants: z.array(tenantSeedSchema).min(1, 'at least one tenant is required') }).strict();

export type UserSeed = z.input<typeof userSeedSchema>;
export type AppSeed = z.input<typeof appSeedSchema>;
export type TenantSeed = z.input<typeof tenantSeedSchema>;
export interface EntraSeed { tenants: TenantSeed[] }

export type ParsedApp = z.output<typeof appSeedSchema>;
export type ParsedUser = z.output<typeof userSeedSchema>;
export type ParsedTenant = z.output<typeof tenantSeedSchema>;

export class SeedError extends Error {}

/** Validates a seed; throws SeedError listing every problem as `path: message`. */
export function parseSeed(input: unknown): { tenants: ParsedTenant[] } {
  const r = entraSeedSchema.safeParse(input);
  if (!r.success) throw new SeedError(`Invalid Entra emulator seed:\n${formatIssues(r.error)}`);
  return r.data;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/** Reads and validates a JSON seed file; errors name the file and every invalid path. */
export async function loadSeedFile(path: string): Promise<EntraSeed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SeedError(`Cannot read Entra emulator seed ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SeedError(`Entra emulator seed ${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    parseSeed(json);
  } catch (e) {
    throw new SeedError(`${(e as Error).message.replace('Invalid Entra emulator seed:', `Invalid Entra emulator seed ${path}:`)}`);
  }
  return json as EntraSeed;
}
