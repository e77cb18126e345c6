import {
  BedrockAgentCoreControlClient, CreateGatewayCommand, CreateGatewayTargetCommand, ListGatewaysCommand, ListGatewayTargetsCommand,
  SynchronizeGatewayTargetsCommand, UpdateGatewayTargetCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { DevJson } from './dev-json.ts';

export const WEATHER_GATEWAY = 'weather-gateway';
export const WEATHER_TARGET = 'weather';

export interface GatewaySetupInput {
  mandateUrl: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The user pool that signs MCP clients in, and the app client they use. */
  discoveryUrl: string;
  clientId: string;
  providerArn: string;
  scope: string;
  mcpServerUrl: string;
  progress(line: string): void;
}

/**
 * The MCP path of the seed: a gateway behind the user pool's JWT authorizer with one target, the weather
 * MCP server, whose calls carry each user's own Entra token from the vault (AUTHORIZATION_CODE). Done
 * with the official control client, idempotently: a restart re-points the target at the (new) server
 * URL and synchronizes its tools.
 */
export async function applyGatewaySetup(input: GatewaySetupInput): Promise<NonNullable<DevJson['gateway']>> {
  const control = new BedrockAgentCoreControlClient({ endpoint: input.mandateUrl, region: input.region, credentials: input.credentials, maxAttempts: 1 });
  try {
    let gw = (await control.send(new ListGatewaysCommand({ maxResults: 100 }))).items?.find((g) => g.name === WEATHER_GATEWAY);
    let gatewayId = gw?.gatewayId;
    if (!gatewayId) {
      input.progress(`creating gateway ${WEATHER_GATEWAY} behind the user pool's JWT authorizer`);
      gatewayId = (await control.send(new CreateGatewayCommand({
        name: WEATHER_GATEWAY, roleArn: 'arn:aws:iam::000000000000:role/MandateLocalGateway', protocolType: 'MCP', authorizerType: 'CUSTOM_JWT',
        description: 'The weather MCP server, called with each user\'s own Entra token',
        authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: input.discoveryUrl, allowedClients: [input.clientId], advertisedScopeMapping: { openid: 'openid' } } },
      }))).gatewayId!;
    }
    const target = {
      name: WEATHER_TARGET,
      targetConfiguration: { mcp: { mcpServer: { endpoint: input.mcpServerUrl } } },
      credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH' as const, credentialProvider: { oauthCredentialProvider: { providerArn: input.providerArn, scopes: [input.scope], grantType: 'AUTHORIZATION_CODE' as const } } }],
    };
    const existing = (await control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId, maxResults: 100 }))).items?.find((t) => t.name === WEATHER_TARGET);
    let status: string | undefined;
    if (!existing) {
      input.progress(`adding target ${WEATHER_TARGET} → ${input.mcpServerUrl} (Entra token per user)`);
      status = (await control.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, ...target }))).status;
    } else {
      await control.send(new UpdateGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: existing.targetId!, ...target }));
      status = (await control.send(new SynchronizeGatewayTargetsCommand({ gatewayIdentifier: gatewayId, targetIdList: [existing.targetId!] }))).targets?.[0]?.status;
    }
    if (status === 'FAILED') input.progress(`warning: target ${WEATHER_TARGET} failed to synchronize its tools; see GetGatewayTarget's statusReasons`);
    gw = (await control.send(new ListGatewaysCommand({ maxResults: 100 }))).items?.find((g) => g.gatewayId === gatewayId);
    return { name: WEATHER_GATEWAY, gatewayId, gatewayUrl: `${input.mandateUrl}/gateways/${gatewayId}/mcp`, mcpServerUrl: input.mcpServerUrl, status: gw?.status ?? 'READY' };
  } finally {
    control.destroy();
  }
}
