import { z } from 'zod';
import { VENDORS } from '../../catalog/index.ts';
import { httpsUrl, resourceName, secretConfig, secretSource, secretValue, tagMap } from './common.ts';

const clientId = z.string().min(1).max(256);

/** The four fields every built-in member shares (reference §3.2). */
const baseMember = {
  clientId,
  clientSecret: secretValue.optional(),
  clientSecretConfig: secretConfig.optional(),
  clientSecretSource: secretSource.optional(),
};

const simpleMember = z.object(baseMember);

/** Entra tenant: a GUID, a verified domain, or common/organizations/consumers. */
const tenantId = z.string().min(1).max(256).regex(/^[a-zA-Z0-9][a-zA-Z0-9.-]*$/, {
  error: 'Member must be an Entra tenant id, domain name, common, organizations or consumers',
});

export const authorizationServerMetadata = z.object({
  issuer: httpsUrl,
  authorizationEndpoint: httpsUrl,
  tokenEndpoint: httpsUrl,
  responseTypes: z.array(z.string().min(1).max(64)).max(20).optional(),
  tokenEndpointAuthMethods: z.array(z.string().min(1).max(64)).max(20).optional(),
});

/** A union: exactly one of discoveryUrl / authorizationServerMetadata. */
const oauthDiscovery = z.object({
  discoveryUrl: httpsUrl.optional(),
  authorizationServerMetadata: authorizationServerMetadata.optional(),
}).refine((d) => (d.discoveryUrl === undefined) !== (d.authorizationServerMetadata === undefined), {
  error: 'Member must have exactly one of discoveryUrl, authorizationServerMetadata',
});

const onBehalfOfTokenExchangeConfig = z.object({
  grantType: z.enum(['TOKEN_EXCHANGE', 'JWT_AUTHORIZATION_GRANT']),
  tokenExchangeGrantTypeConfig: z.object({
    actorTokenContent: z.enum(['M2M', 'AWS_IAM_ID_TOKEN_JWT', 'NONE']),
    actorTokenScopes: z.array(z.string().min(1).max(128)).max(50).optional(),
  }).optional(),
});

const customMember = z.object({
  oauthDiscovery,
  clientId: clientId.optional(),
  clientSecret: secretValue.optional(),
  clientSecretConfig: secretConfig.optional(),
  clientSecretSource: secretSource.optional(),
  onBehalfOfTokenExchangeConfig: onBehalfOfTokenExchangeConfig.optional(),
  clientAuthenticationMethod: z.enum(['CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'PRIVATE_KEY_JWT', 'AWS_IAM_ID_TOKEN_JWT']).optional(),
  // Accepted by the schema so the error can say precisely why they are refused (see oauth2-config.ts).
  privateKeyJwtConfig: z.record(z.string(), z.unknown()).optional(),
  privateEndpoint: z.record(z.string(), z.unknown()).optional(),
  privateEndpointOverrides: z.array(z.unknown()).optional(),
});

const includedMember = z.object({
  ...baseMember,
  issuer: httpsUrl.optional(),
  authorizationEndpoint: httpsUrl.optional(),
  tokenEndpoint: httpsUrl.optional(),
});

export const oauth2ProviderConfigInput = z.object({
  customOauth2ProviderConfig: customMember.optional(),
  microsoftOauth2ProviderConfig: z.object({ ...baseMember, tenantId: tenantId.optional() }).optional(),
  googleOauth2ProviderConfig: simpleMember.optional(),
  githubOauth2ProviderConfig: simpleMember.optional(),
  slackOauth2ProviderConfig: simpleMember.optional(),
  salesforceOauth2ProviderConfig: simpleMember.optional(),
  atlassianOauth2ProviderConfig: simpleMember.optional(),
  linkedinOauth2ProviderConfig: simpleMember.optional(),
  includedOauth2ProviderConfig: includedMember.optional(),
}).strict().refine((u) => Object.values(u).filter((v) => v !== undefined).length === 1, {
  error: 'Member must have exactly one member set',
});

export type Oauth2ProviderConfigInput = z.infer<typeof oauth2ProviderConfigInput>;
export type CustomMemberInput = z.infer<typeof customMember>;
export type IncludedMemberInput = z.infer<typeof includedMember>;

export const credentialProviderVendor = z.enum(VENDORS);

export const createOauth2Input = z.object({
  name: resourceName,
  credentialProviderVendor,
  oauth2ProviderConfigInput,
  tags: tagMap.optional(),
});

export const updateOauth2Input = z.object({
  name: resourceName,
  credentialProviderVendor,
  oauth2ProviderConfigInput,
});
