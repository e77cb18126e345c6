import { z } from 'zod';

export const VENDORS = [
  'GoogleOauth2', 'GithubOauth2', 'SlackOauth2', 'SalesforceOauth2', 'MicrosoftOauth2', 'CustomOauth2',
  'AtlassianOauth2', 'LinkedinOauth2', 'XOauth2', 'OktaOauth2', 'OneLoginOauth2', 'PingOneOauth2',
  'FacebookOauth2', 'YandexOauth2', 'RedditOauth2', 'ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2',
  'DropboxOauth2', 'NotionOauth2', 'HubspotOauth2', 'CyberArkOauth2', 'FusionAuthOauth2', 'Auth0Oauth2',
  'CognitoOauth2',
] as const;

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
  vendor: z.enum(VENDORS),
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
  /** Send PKCE S256 (RFC 7636). Mandate sends it whenever the provider accepts it. */
  pkce: z.boolean(),
  /** RFC 6749 §3.3 says space; some vendors (Slack, Facebook) use commas. */
  scopeSeparator: z.enum([' ', ',']),
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  tokenAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']),
  /** Vendor behaviour the data plane honours; keys are documented in docs/identity-control-plane.md. */
  quirks: z.strictObject({
    /** Scope that must be requested to receive a refresh token (Entra, Okta: `offline_access`). */
    offlineAccessScope: z.string().optional(),
    /** Client-credentials scopes must be `<resource>/.default` (Entra v2 endpoint). */
    m2mScopeSuffix: z.string().optional(),
    /** Access tokens do not expire and no refresh token is issued (GitHub OAuth apps). */
    nonExpiringTokens: z.boolean().optional(),
    /** Authorization-request parameter carrying user scopes instead of `scope` (Slack: `user_scope`). */
    userScopeParam: z.string().optional(),
    /** JSON path of the user token in the token response (Slack: `authed_user.access_token`). */
    userTokenPath: z.string().optional(),
    /** Extra authorization-request parameters (e.g. Google `access_type=offline`). */
    authorizationParams: z.record(z.string(), z.string()).optional(),
    /** The token endpoint wants `Accept: application/json` (GitHub answers form-encoded otherwise). */
    tokenAcceptJson: z.boolean().optional(),
    /** The token request body is JSON rather than form-encoded (Notion). */
    tokenRequestJson: z.boolean().optional(),
    /** The vendor has no scopes; the `scope` parameter is omitted (Notion). */
    noScopes: z.boolean().optional(),
    /** The vendor supports the client-credentials grant (M2M). */
    clientCredentials: z.boolean().optional(),
    /** The revocation endpoint is not RFC 7009 (vendor-specific call). */
    nonStandardRevocation: z.boolean().optional(),
  }),
});

export type CatalogEntry = z.infer<typeof catalogEntry>;
export type Vendor = (typeof VENDORS)[number];
