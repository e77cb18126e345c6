import { validationError } from '@mandate/core';
import type { InboundJwtConfig } from '@mandate/identity';
import type { GatewayDoc } from './model.ts';
import type { GatewayConfigInput } from './schemas.ts';

/** MCP protocol versions the gateway speaks with clients (a client asking for another gets the newest). */
export const GATEWAY_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;

/**
 * The members of CreateGateway/UpdateGateway a gateway document keeps. Only what Mandate implements is
 * accepted: a CUSTOM_JWT authorizer (the gateway acts for the user that token names), no interceptors,
 * policy engines, transforms or WAF. Anything else is refused with the member's name rather than ignored,
 * so a configuration never seems to protect what it does not.
 */
export function gatewayMembers(input: GatewayConfigInput): Pick<GatewayDoc, 'name' | 'description' | 'roleArn' | 'protocolType' | 'protocolConfiguration' | 'authorizerType' | 'authorizer' | 'advertisedScopeMapping' | 'kmsKeyArn' | 'exceptionLevel'> {
  const refuse = (member: string, why: string) => validationError(`${member}: ${why}`, [{ name: member, message: why }]);
  if (input.authorizerType !== 'CUSTOM_JWT') {
    throw refuse('authorizerType', `Mandate's gateway acts for the user a JWT names, so it needs CUSTOM_JWT (not ${input.authorizerType}).`);
  }
  const a = input.authorizerConfiguration?.customJWTAuthorizer;
  if (!a) throw refuse('authorizerConfiguration', 'a CUSTOM_JWT gateway needs authorizerConfiguration.customJWTAuthorizer.');
  for (const member of ['interceptorConfigurations', 'policyEngineConfiguration', 'customTransformConfiguration', 'wafConfiguration'] as const) {
    if (input[member] !== undefined) throw refuse(member, 'is not supported by Mandate\'s gateway; leave it out.');
  }
  const mcp = input.protocolConfiguration?.mcp;
  if (mcp?.searchType !== undefined) throw refuse('protocolConfiguration.mcp.searchType', 'semantic tool search is not supported by Mandate\'s gateway; leave it out.');
  const unknownVersion = mcp?.supportedVersions?.find((v) => !(GATEWAY_PROTOCOL_VERSIONS as readonly string[]).includes(v));
  if (unknownVersion !== undefined) {
    throw refuse('protocolConfiguration.mcp.supportedVersions', `${unknownVersion} is not an MCP version Mandate's gateway speaks (${GATEWAY_PROTOCOL_VERSIONS.join(', ')}).`);
  }
  const { advertisedScopeMapping, ...rules } = a;
  const authorizer: InboundJwtConfig = { discoveryUrl: rules.discoveryUrl };
  if (rules.allowedAudience) authorizer.allowedAudience = rules.allowedAudience;
  if (rules.allowedClients) authorizer.allowedClients = rules.allowedClients;
  if (rules.allowedScopes) authorizer.allowedScopes = rules.allowedScopes;
  if (rules.customClaims) authorizer.customClaims = rules.customClaims as InboundJwtConfig['customClaims'] & object;
  const out: ReturnType<typeof gatewayMembers> = { name: input.name, roleArn: input.roleArn, protocolType: 'MCP', authorizerType: 'CUSTOM_JWT', authorizer };
  if (input.description !== undefined) out.description = input.description;
  if (input.protocolConfiguration) out.protocolConfiguration = input.protocolConfiguration;
  if (advertisedScopeMapping && Object.keys(advertisedScopeMapping).length > 0) out.advertisedScopeMapping = advertisedScopeMapping;
  if (input.kmsKeyArn !== undefined) out.kmsKeyArn = input.kmsKeyArn;
  if (input.exceptionLevel !== undefined) out.exceptionLevel = input.exceptionLevel;
  return out;
}

/** The protocol versions this gateway accepts: its supportedVersions, else every version the gateway speaks. */
export function supportedVersions(gw: GatewayDoc): readonly string[] {
  const v = (gw.protocolConfiguration as { mcp?: { supportedVersions?: string[] } } | undefined)?.mcp?.supportedVersions;
  return v && v.length > 0 ? v : GATEWAY_PROTOCOL_VERSIONS;
}
