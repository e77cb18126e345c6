import type { RuntimeDoc, RuntimeEndpointDoc, RuntimeVersionDoc } from './model.ts';
import { runtimeArn } from './arns.ts';

/** The control plane's timestamps are RFC 3339 strings: the client throws on epoch numbers here (reference §2). */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString();

export function runtimeView(rt: RuntimeDoc, v: RuntimeVersionDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    agentRuntimeArn: rt.agentRuntimeArn,
    agentRuntimeName: rt.agentRuntimeName,
    agentRuntimeId: rt.agentRuntimeId,
    agentRuntimeVersion: v.agentRuntimeVersion,
    createdAt: rfc3339(rt.createdTime),
    lastUpdatedAt: rfc3339(v.createdTime),
    roleArn: v.roleArn,
    networkConfiguration: v.networkConfiguration,
    status: rt.status,
    lifecycleConfiguration: v.lifecycleConfiguration,
    workloadIdentityDetails: { workloadIdentityArn: rt.workloadIdentityArn },
    agentRuntimeArtifact: v.agentRuntimeArtifact,
    protocolConfiguration: v.protocolConfiguration,
  };
  if (v.description !== undefined) out.description = v.description;
  if (v.environmentVariables) out.environmentVariables = v.environmentVariables;
  if (v.authorizer) {
    out.authorizerConfiguration = { customJWTAuthorizer: v.advertisedScopeMapping ? { ...v.authorizer, advertisedScopeMapping: v.advertisedScopeMapping } : v.authorizer };
  }
  if (v.requestHeaderAllowlist) out.requestHeaderConfiguration = { requestHeaderAllowlist: v.requestHeaderAllowlist };
  if (v.metadataConfiguration) out.metadataConfiguration = v.metadataConfiguration;
  return out;
}

export function runtimeSummary(rt: RuntimeDoc, v: RuntimeVersionDoc): Record<string, unknown> {
  return {
    agentRuntimeArn: rt.agentRuntimeArn,
    agentRuntimeId: rt.agentRuntimeId,
    agentRuntimeVersion: v.agentRuntimeVersion,
    agentRuntimeName: rt.agentRuntimeName,
    description: v.description ?? '',
    lastUpdatedAt: rfc3339(v.createdTime),
    status: rt.status,
  };
}

export function endpointView(e: RuntimeEndpointDoc, scope: { region: string; accountId: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: e.name,
    id: e.id,
    liveVersion: e.liveVersion,
    targetVersion: e.pinnedVersion ?? e.liveVersion,
    agentRuntimeEndpointArn: e.agentRuntimeEndpointArn,
    agentRuntimeArn: runtimeArn(scope, e.agentRuntimeId),
    status: e.status,
    createdAt: rfc3339(e.createdTime),
    lastUpdatedAt: rfc3339(e.lastUpdatedTime),
  };
  if (e.description !== undefined) out.description = e.description;
  return out;
}
