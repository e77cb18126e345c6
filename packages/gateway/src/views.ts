import type { GatewayDoc, TargetDoc } from './model.ts';

export const rfc3339 = (ms: number): string => new Date(ms).toISOString();

/** The gateway's MCP endpoint (AgentCore: `https://{gatewayId}.gateway.bedrock-agentcore.{region}.amazonaws.com/mcp`). */
export const gatewayUrl = (publicUrl: string, gatewayId: string) => `${publicUrl}/gateways/${gatewayId}/mcp`;

/** GetGateway / CreateGateway / UpdateGateway: the stored members, as given, plus what Mandate derived. */
export function gatewayView(gw: GatewayDoc, publicUrl: string): Record<string, unknown> {
  const authorizer = gw.advertisedScopeMapping ? { ...gw.authorizer, advertisedScopeMapping: gw.advertisedScopeMapping } : gw.authorizer;
  return {
    gatewayArn: gw.gatewayArn,
    gatewayId: gw.gatewayId,
    gatewayUrl: gatewayUrl(publicUrl, gw.gatewayId),
    createdAt: rfc3339(gw.createdAt),
    updatedAt: rfc3339(gw.updatedAt),
    status: gw.status,
    name: gw.name,
    ...(gw.description === undefined ? {} : { description: gw.description }),
    roleArn: gw.roleArn,
    protocolType: gw.protocolType,
    ...(gw.protocolConfiguration === undefined ? {} : { protocolConfiguration: gw.protocolConfiguration }),
    authorizerType: gw.authorizerType,
    authorizerConfiguration: { customJWTAuthorizer: authorizer },
    ...(gw.kmsKeyArn === undefined ? {} : { kmsKeyArn: gw.kmsKeyArn }),
    ...(gw.exceptionLevel === undefined ? {} : { exceptionLevel: gw.exceptionLevel }),
    workloadIdentityDetails: { workloadIdentityArn: gw.workloadIdentityArn },
  };
}

export function gatewaySummary(gw: GatewayDoc): Record<string, unknown> {
  return {
    gatewayId: gw.gatewayId,
    name: gw.name,
    status: gw.status,
    ...(gw.description === undefined ? {} : { description: gw.description }),
    createdAt: rfc3339(gw.createdAt),
    updatedAt: rfc3339(gw.updatedAt),
    authorizerType: gw.authorizerType,
    protocolType: gw.protocolType,
  };
}

export function targetView(t: TargetDoc, gatewayArn: string): Record<string, unknown> {
  return {
    gatewayArn,
    targetId: t.targetId,
    createdAt: rfc3339(t.createdAt),
    updatedAt: rfc3339(t.updatedAt),
    status: t.status,
    ...(t.statusReasons ? { statusReasons: t.statusReasons } : {}),
    name: t.name,
    ...(t.description === undefined ? {} : { description: t.description }),
    targetConfiguration: t.targetConfiguration,
    credentialProviderConfigurations: t.credentialProviderConfigurations,
    ...(t.lastSynchronizedAt === undefined ? {} : { lastSynchronizedAt: rfc3339(t.lastSynchronizedAt) }),
    protocolType: 'MCP',
  };
}

export function targetSummary(t: TargetDoc): Record<string, unknown> {
  return {
    targetId: t.targetId,
    name: t.name,
    status: t.status,
    ...(t.description === undefined ? {} : { description: t.description }),
    createdAt: rfc3339(t.createdAt),
    updatedAt: rfc3339(t.updatedAt),
    ...(t.lastSynchronizedAt === undefined ? {} : { lastSynchronizedAt: rfc3339(t.lastSynchronizedAt) }),
    targetType: 'MCP_SERVER',
    listingMode: t.toolsFrom === 'dynamic' ? 'DYNAMIC' : 'DEFAULT',
  };
}
