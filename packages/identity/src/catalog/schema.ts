import { z } from 'zod';

/**
 * A vendor name as the AgentCore API spells them (`GoogleOauth2`, ...). The list of vendors is the catalog
 * itself (vendors.json): adding a vendor is one entry there. The official client's CredentialProviderVendorType
 * must be covered (test/catalog-vendors.test.ts); entries beyond it are Mandate extensions.
 */
const vendorName = z.string().regex(/^[A-Z][A-Za-z0-9]*Oauth2$/, 'must be a vendor name like GoogleOauth2');

export const CONFIG_MEMBERS = [
  'customOauth2ProviderConfig', 'microsoftOauth2ProviderConfig', 'googleOauth2ProviderConfig',
  'githubOauth2ProviderConfig', 'slackOauth2ProviderConfig', 'salesforceOauth2ProviderConfig',
  'atlassianOauth2ProviderConfig', 'linkedinOauth2ProviderConfig', 'includedOauth2ProviderConfig',
] as const;

export type ConfigMember = (typeof CONFIG_MEMBERS)[number];

/**
 * Placeholders an endpoint template may use. `{authorityBase}` is config.entraAuthorityBase, `{tenant}`
 * the Entra tenant, `{issuer}` the tenant-specific issuer given in includedOauth2ProviderConfig.
 */
export const PLACEHOLDERS = ['{authorityBase}', '{tenant}', '{issuer}'] as const;

const template = z.string().min(1).superRefine((s, ctx) => {
  const rest = PLACEHOLDERS.reduce((acc, p) => acc.replaceAll(p, ''), s);
  if (/[{}]/.test(rest)) ctx.addIssue({ code: 'custom', message: `unknown placeholder in "${s}" (allowed: ${PLACEHOLDERS.join(', ')})` });
  const sample = s.replaceAll('{authorityBase}', 'https://login.example.com').replaceAll('{tenant}', 'common').replaceAll('{issuer}', 'https://tenant.example.com');
  if (!URL.canParse(sample) || new URL(sample).protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `"${s}" is not an https URL template` });
});

export const catalogEntry = z.strictObject({
  vendor: vendorName,
  displayName: z.string().min(1),
  /** The oauth2ProviderConfigInput member this vendor must use. */
  member: z.enum(CONFIG_MEMBERS),
  /**
   * Fixed or templated endpoints. Absent for vendors whose endpoints only the customer knows
   * (CustomOauth2 via discovery/metadata; Cognito and CyberArk via explicit includedOauth2ProviderConfig endpoints).
   */
  endpoints: z.strictObject({
    authorization: template,
    token: template,
    revocation: template.optional(),
    discovery: template.optional(),
    issuer: template.optional(),
  }).optional(),
  /** The customer must supply issuer and/or endpoints (includedOauth2ProviderConfig) for their tenant. */
  tenantSpecific: z.boolean(),
  defaultScopes: z.array(z.string().min(1)),
  /** RFC 6749 §3.3 says space; some vendors (Slack, Facebook) use commas. */
  scopeSeparator: z.enum([' ', ',']),
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  tokenAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']),
  /**
   * Vendor behaviour the flows honour, as data: flows read these, never vendor names. Each is described,
   * with the vendors that set it, in docs/identity-control-plane.md ("Vendor quirks").
   */
  quirks: z.strictObject({
    /** Scope that must be requested to receive a refresh token (Entra, Okta: `offline_access`). */
    offlineAccessScope: z.string().optional(),
    /** Client-credentials scopes must be `<resource>/.default` (Entra v2 endpoint). */
    m2mScopeSuffix: z.string().optional(),
    /** With m2mScopeSuffix: the resource a bare scope (no `/`) belongs to (Entra: Microsoft Graph). */
    m2mDefaultResource: z.string().optional(),
    /** Access tokens do not expire and no refresh token is issued (GitHub OAuth apps). */
    nonExpiringTokens: z.boolean().optional(),
    /** Authorization-request parameter carrying the user's scopes instead of `scope` (Slack: `user_scope`). */
    userScopeParam: z.string().optional(),
    /** Dotted path of the user's token object in the token response, lifted to the top level (Slack: `authed_user`). */
    userTokenPath: z.string().optional(),
    /** Extra authorization-request parameters (e.g. Google `access_type=offline`). */
    authorizationParams: z.record(z.string(), z.string()).optional(),
    /** The token request body is JSON rather than form-encoded (Notion). */
    tokenRequestJson: z.boolean().optional(),
    /** The vendor has no scopes; the `scope` parameter is omitted (Notion). */
    noScopes: z.boolean().optional(),
    /** The vendor supports the client-credentials grant (M2M). */
    clientCredentials: z.boolean().optional(),
    /** RFC 8707 `resource` must not be sent: the vendor picks the resource by scope and refuses the parameter (Entra v2). */
    noResourceIndicators: z.boolean().optional(),
    /** A granted-scope prefix equal to its short form when comparing granted with requested scopes (Entra: Graph's URL). */
    grantedScopePrefix: z.string().optional(),
    /** The token response's `scope` is not the user's grant (Slack: the bot's scopes), so it is not compared. */
    grantedScopeUnreliable: z.boolean().optional(),
    /** On-behalf-of exchange: RFC 7523 jwt-bearer with requested_token_use=on_behalf_of (Entra) instead of RFC 8693 token exchange. */
    onBehalfOfGrant: z.enum(['jwt-bearer', 'token-exchange']).optional(),
  }),
});

export type CatalogEntry = z.infer<typeof catalogEntry>;
/** A vendor of the catalog; which names exist is the catalog's business (catalog/index.ts). */
export type Vendor = string;
