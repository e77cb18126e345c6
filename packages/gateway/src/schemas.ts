import { z } from 'zod';
import { customJwtAuthorizerSchema } from '@mandate/edge';

/** Input rules of the gateway control plane, from the AgentCore API reference (CreateGateway, CreateGatewayTarget). */
const resourceName = z.string().regex(/^([0-9a-zA-Z][-]?){1,100}$/, 'must match ^([0-9a-zA-Z][-]?){1,100}$');
export const gatewayNameSchema = resourceName;
export const targetNameSchema = resourceName;
export const gatewayIdentifierSchema = z.string().min(1).max(1024);
export const targetIdSchema = z.string().regex(/^[0-9A-Z]{10}$/, 'must be a target id (10 uppercase letters and digits)');
const clientToken = z.string().min(33).max(256).regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$/).optional();
const description = z.string().min(1).max(200).optional();

const mcpGatewayConfiguration = z.object({
  supportedVersions: z.array(z.string().min(1).max(20)).max(10).optional(),
  instructions: z.string().min(1).max(2048).optional(),
  searchType: z.enum(['SEMANTIC']).optional(),
});

export const gatewayConfigSchema = z.object({
  name: gatewayNameSchema,
  description,
  roleArn: z.string().min(1).max(2048).regex(/^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/, 'must be an IAM role ARN'),
  protocolType: z.enum(['MCP']).optional(),
  protocolConfiguration: z.object({ mcp: mcpGatewayConfiguration }).optional(),
  authorizerType: z.enum(['CUSTOM_JWT', 'AWS_IAM', 'NONE', 'AUTHENTICATE_ONLY']),
  authorizerConfiguration: z.object({ customJWTAuthorizer: customJwtAuthorizerSchema }).optional(),
  kmsKeyArn: z.string().min(1).max(2048).optional(),
  exceptionLevel: z.enum(['DEBUG']).optional(),
  // Present only to be refused with a precise message (gateway.ts), not silently dropped.
  interceptorConfigurations: z.array(z.unknown()).optional(),
  policyEngineConfiguration: z.unknown().optional(),
  customTransformConfiguration: z.unknown().optional(),
  wafConfiguration: z.unknown().optional(),
});
export type GatewayConfigInput = z.infer<typeof gatewayConfigSchema>;

export const createGatewaySchema = gatewayConfigSchema.extend({
  clientToken,
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
});

const oauthProvider = z.object({
  providerArn: z.string().min(1).max(2048),
  scopes: z.array(z.string().min(1).max(64)).max(100),
  customParameters: z.record(z.string().min(1).max(256), z.string().max(2048)).optional(),
  grantType: z.enum(['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'TOKEN_EXCHANGE']).optional(),
  defaultReturnUrl: z.string().min(1).max(2048).optional(),
});
const apiKeyProvider = z.object({
  providerArn: z.string().min(1).max(2048),
  credentialParameterName: z.string().min(1).max(64).optional(),
  credentialPrefix: z.string().min(1).max(64).optional(),
  credentialLocation: z.enum(['HEADER', 'QUERY_PARAMETER']).optional(),
});
export const credentialConfigSchema = z.object({
  credentialProviderType: z.enum(['GATEWAY_IAM_ROLE', 'OAUTH', 'API_KEY', 'JWT_PASSTHROUGH', 'CALLER_IAM_CREDENTIALS']),
  credentialProvider: z.object({
    oauthCredentialProvider: oauthProvider.optional(),
    apiKeyCredentialProvider: apiKeyProvider.optional(),
    iamCredentialProvider: z.unknown().optional(),
  }).optional(),
});
export type CredentialConfigInput = z.infer<typeof credentialConfigSchema>;

const mcpServerSchema = z.object({
  endpoint: z.string().min(1).max(2048),
  mcpToolSchema: z.object({ inlinePayload: z.string().min(1).max(1024 * 1024).optional(), s3: z.unknown().optional() }).optional(),
  listingMode: z.enum(['DEFAULT', 'DYNAMIC']).optional(),
  resourcePriority: z.number().int().optional(),
});

/** Only `mcp.mcpServer` is served; the other union members are kept so that the refusal can name them (targets.ts). */
export const targetConfigurationSchema = z.object({
  mcp: z.object({
    mcpServer: mcpServerSchema.optional(),
    openApiSchema: z.unknown().optional(),
    smithyModel: z.unknown().optional(),
    lambda: z.unknown().optional(),
    apiGateway: z.unknown().optional(),
    connector: z.unknown().optional(),
  }).optional(),
  http: z.unknown().optional(),
  inference: z.unknown().optional(),
});

export const targetConfigSchema = z.object({
  name: targetNameSchema,
  description,
  targetConfiguration: targetConfigurationSchema,
  credentialProviderConfigurations: z.array(credentialConfigSchema).min(1).max(1).optional(),
  metadataConfiguration: z.unknown().optional(),
  privateEndpoint: z.unknown().optional(),
});
export type TargetConfigInput = z.infer<typeof targetConfigSchema>;

export const pagingInput = {
  maxResults: z.coerce.number().int().min(1).max(1000).optional(),
  nextToken: z.string().min(1).max(2048).optional(),
};
export const pagingFrom = (q: URLSearchParams) => ({ maxResults: q.get('maxResults') ?? undefined, nextToken: q.get('nextToken') ?? undefined });
