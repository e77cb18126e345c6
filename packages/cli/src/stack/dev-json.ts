/**
 * The `.mandate/dev.json` contract: every endpoint URL and credential a client of the local stack
 * needs. Field names are stable; docs/dev-json.md documents each one. Later parts add fields, never
 * rename them.
 */
export interface DevJson {
  region: string;
  accountId: string;
  identity: { controlPlaneEndpoint: string; dataPlaneEndpoint: string; returnPageUrl: string };
  runtime: {
    controlPlaneEndpoint: string;
    dataPlaneEndpoint: string;
    agents: { name: string; agentRuntimeId: string; agentRuntimeArn: string; workloadIdentityName?: string }[];
  };
  adminCredentials: { accessKeyId: string; secretAccessKey: string };
  credentialProviders: { name: string; vendor: string; callbackUrl: string; credentialProviderArn: string }[];
  workloadIdentities: { name: string; allowedResourceOauth2ReturnUrls: string[] }[];
  entra: {
    loginBaseUrl: string;
    tenantId: string;
    tenantDomain: string;
    authority: string;
    discoveryUrl: string;
    caCertFile: string;
    adminToken: string;
    apps: { name: string; clientId: string; clientSecret: string; scopes: string[]; redirectUris: string[] }[];
    users: { username: string; password: string; oid: string; displayName: string }[];
  };
  userPool: {
    endpoint: string;
    poolId: string;
    clientId: string;
    discoveryUrl: string;
    issuer: string;
    users: { username: string; password: string; sub: string }[];
  };
  /** The MCP gateway of the seed (absent with --no-agent). */
  gateway?: { name: string; gatewayId: string; gatewayUrl: string; mcpServerUrl: string; status: string };
  dataDir: string;
  startedAt: string;
}
