import type { InboundJwtConfig } from '@mandate/identity';

/** The collections the gateway owns; nothing else reads or writes them. */
export const gatewayCollections = {
  gateways: 'gateways',
  gatewayNames: 'gateway-names',
  /** `{gatewayId}/{targetId}`, so a gateway's targets list by prefix. */
  targets: 'gateway-targets',
  /** `{gatewayId}/{targetName}` → targetId: names are unique per gateway. */
  targetNames: 'gateway-target-names',
  /** MCP sessions (Mcp-Session-Id), each bound to the user who opened it. */
  sessions: 'gateway-mcp-sessions',
} as const;

export type GatewayStatus = 'CREATING' | 'UPDATING' | 'READY' | 'FAILED' | 'DELETING';
export type TargetStatus = 'CREATING' | 'UPDATING' | 'READY' | 'FAILED' | 'DELETING' | 'SYNCHRONIZING' | 'SYNCHRONIZE_UNSUCCESSFUL';

export interface GatewayDoc {
  gatewayId: string;
  gatewayArn: string;
  name: string;
  description?: string;
  roleArn: string;
  protocolType: 'MCP';
  /** `protocolConfiguration` exactly as given (echoed back by GetGateway). */
  protocolConfiguration?: Record<string, unknown>;
  authorizerType: 'CUSTOM_JWT';
  /** The authorizer rules (what verifyInboundJwt checks), without advertisedScopeMapping. */
  authorizer: InboundJwtConfig;
  advertisedScopeMapping?: Record<string, string>;
  kmsKeyArn?: string;
  exceptionLevel?: 'DEBUG';
  /** The gateway's own workload identity (identity's port owns the row; `managedBy` = the gateway id). */
  workloadName: string;
  workloadIdentityArn: string;
  status: GatewayStatus;
  /** Bumped in the same transaction as every target write, so a cached target list knows it is stale. */
  targetsRevision: number;
  createdAt: number;
  updatedAt: number;
}

/** How a target's calls are authenticated upstream, resolved once at create/update from its credential configuration. */
export type TargetCredential =
  | { kind: 'none' }
  | { kind: 'oauth2'; providerName: string; scopes: string[]; flow: 'USER_FEDERATION' | 'M2M'; customParameters?: Record<string, string> }
  | { kind: 'apikey'; providerName: string; parameterName: string; prefix?: string; location: 'HEADER' | 'QUERY_PARAMETER' };

/** One MCP tool as the upstream lists it (MCP `Tool`), kept opaque beyond its name. */
export interface ToolDefinition {
  name: string;
  [member: string]: unknown;
}

export interface TargetDoc {
  gatewayId: string;
  targetId: string;
  name: string;
  description?: string;
  /** The request members exactly as given (echoed back by GetGatewayTarget). */
  targetConfiguration: Record<string, unknown>;
  credentialProviderConfigurations: Record<string, unknown>[];
  endpoint: string;
  credential: TargetCredential;
  /** The tools the target offers, from its inline schema or its last synchronization. */
  tools: ToolDefinition[];
  /** inline: from mcpToolSchema; synchronized: DEFAULT listing (kept here); dynamic: listed live from the upstream, for the calling user. */
  toolsFrom: 'inline' | 'synchronized' | 'dynamic';
  status: TargetStatus;
  statusReasons?: string[];
  lastSynchronizedAt?: number;
  createdAt: number;
  updatedAt: number;
}

export interface GatewaySessionDoc {
  gatewayId: string;
  /** identity.userKey of the user who opened the session; every later request must be the same user. */
  owner: string;
  protocolVersion: string;
  /** The client declared URL-mode elicitation (MCP 2025-11-25 `capabilities.elicitation.url`). */
  urlElicitation: boolean;
  createdAt: number;
}

/** MCP's tool name of a target's tool: `{target}___{tool}` (AgentCore Gateway's convention; target names have no `_`). */
export const TOOL_SEPARATOR = '___';
export const targetKey = (gatewayId: string, targetId: string) => `${gatewayId}/${targetId}`;
