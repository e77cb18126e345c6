import type { ServerProtocol } from './protocols.ts';
import type { CustomClaimRule } from '@mandate/identity';

/** Store collections of the runtime (ids in comments). */
export const runtimeCollections = {
  runtimes: 'runtimes', //                  id = agentRuntimeId
  runtimeNames: 'runtime_names', //         id = agentRuntimeName -> { agentRuntimeId } (uniqueness index)
  runtimeVersions: 'runtime_versions', //   id = `${agentRuntimeId}/${version zero-padded}`
  runtimeEndpoints: 'runtime_endpoints', // id = `${agentRuntimeId}/${endpointName}`
  runtimeSessions: 'runtime_sessions', //   id = `${agentRuntimeId}/${runtimeSessionId}` -> owner binding
} as const;

export type RuntimeStatus = 'CREATING' | 'CREATE_FAILED' | 'UPDATING' | 'UPDATE_FAILED' | 'READY' | 'DELETING' | 'DELETE_FAILED';

export interface CustomJwtAuthorizer {
  discoveryUrl: string;
  allowedAudience?: string[];
  allowedClients?: string[];
  allowedScopes?: string[];
  customClaims?: CustomClaimRule[];
}

/** The artifact exactly as given (echoed back by GetAgentRuntime). */
export type RuntimeArtifact =
  | { codeConfiguration: { code: { s3: { bucket: string; prefix: string; versionId?: string } }; runtime: string; entryPoint: string[] } }
  | { containerConfiguration: { containerUri: string } };

/** How Mandate starts the artifact: resolved and validated once, at create/update time. */
export interface LaunchSpec {
  cwd: string;
  command: string;
  args: string[];
}

/** One immutable version of a runtime's configuration. */
export interface RuntimeVersionDoc {
  agentRuntimeId: string;
  agentRuntimeVersion: string;
  agentRuntimeArtifact: RuntimeArtifact;
  launch: LaunchSpec;
  roleArn: string;
  networkConfiguration: { networkMode: string; networkModeConfig?: unknown };
  protocolConfiguration: { serverProtocol: ServerProtocol };
  lifecycleConfiguration: { idleRuntimeSessionTimeout: number; maxLifetime: number };
  authorizer?: CustomJwtAuthorizer;
  /** customJWTAuthorizer.advertisedScopeMapping: not a rule the verifier applies; its values are the scopes MCP metadata advertises. */
  advertisedScopeMapping?: Record<string, string>;
  requestHeaderAllowlist?: string[];
  environmentVariables?: Record<string, string>;
  description?: string;
  metadataConfiguration?: { requireMMDSV2: boolean };
  createdTime: number;
}

export interface RuntimeDoc {
  agentRuntimeId: string;
  agentRuntimeName: string;
  agentRuntimeArn: string;
  latestVersion: string;
  status: RuntimeStatus;
  workloadName: string;
  workloadIdentityArn: string;
  createdTime: number;
  lastUpdatedTime: number;
}

export interface RuntimeEndpointDoc {
  agentRuntimeId: string;
  name: string;
  id: string;
  agentRuntimeEndpointArn: string;
  /** Absent for DEFAULT, which always follows the latest version. */
  pinnedVersion?: string;
  liveVersion: string;
  description?: string;
  status: RuntimeStatus;
  createdTime: number;
  lastUpdatedTime: number;
}

/** Who opened a runtime session: the only caller that may use it again. */
export interface RuntimeSessionDoc {
  agentRuntimeId: string;
  runtimeSessionId: string;
  owner: string;
  createdTime: number;
}

export const DEFAULT_ENDPOINT = 'DEFAULT';
export const DEFAULT_IDLE_TIMEOUT_S = 900;
export const DEFAULT_MAX_LIFETIME_S = 28_800;

export const versionKey = (runtimeId: string, version: string) => `${runtimeId}/${version.padStart(8, '0')}`;
