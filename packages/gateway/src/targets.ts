import { validationError } from '@mandate/core';
import { checkProviderUrl } from '@mandate/edge';
import type { IdentityPort } from '@mandate/identity';
import type { TargetCredential, ToolDefinition } from './model.ts';
import type { CredentialConfigInput, TargetConfigInput } from './schemas.ts';

const refuse = (member: string, why: string) => validationError(`${member}: ${why}`, [{ name: member, message: why }]);

/** MCP tool names (MCP 2025-11-25 §tools: 1–128 of A–Z a–z 0–9 _ - .), checked so the `{target}___{tool}` name stays parseable. */
export const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export interface ResolvedTarget {
  endpoint: string;
  credential: TargetCredential;
  /** Set when the target carries an inline tool schema: the tools are these and are never synchronized. */
  inlineTools?: ToolDefinition[];
  /** listingMode DYNAMIC: the tools are listed from the server, with the calling user's credential, on every tools/list. */
  dynamic?: boolean;
}

/**
 * Checks a target's configuration the way CreateGatewayTarget/UpdateGatewayTarget must before anything
 * is written: an `mcp.mcpServer` target (the others are named and refused), an endpoint Mandate may dial
 * (the URL policy every outbound URL follows), and a credential provider of this server that exists.
 */
export async function resolveTarget(identity: IdentityPort, devMode: boolean, input: TargetConfigInput): Promise<ResolvedTarget> {
  const tc = input.targetConfiguration;
  const other = (['http', 'inference'] as const).find((m) => tc[m] !== undefined)
    ?? (['openApiSchema', 'smithyModel', 'lambda', 'apiGateway', 'connector'] as const).find((m) => tc.mcp?.[m] !== undefined);
  if (other !== undefined) throw refuse('targetConfiguration', `${other} targets are not supported by Mandate's gateway; it serves mcp.mcpServer targets.`);
  const server = tc.mcp?.mcpServer;
  if (!server) throw refuse('targetConfiguration.mcp.mcpServer', 'is required: Mandate\'s gateway serves MCP server targets.');
  if (server.listingMode === 'DYNAMIC' && server.mcpToolSchema !== undefined) throw refuse('targetConfiguration.mcp.mcpServer.listingMode', 'DYNAMIC lists the tools from the server on every tools/list; it cannot go with an inline mcpToolSchema.');
  if (server.mcpToolSchema?.s3 !== undefined) throw refuse('targetConfiguration.mcp.mcpServer.mcpToolSchema.s3', 'Mandate has no S3; give the tool list as inlinePayload.');
  const endpoint = checkProviderUrl(server.endpoint, 'targetConfiguration.mcp.mcpServer.endpoint', devMode).href;
  const out: ResolvedTarget = { endpoint, credential: await resolveCredential(identity, input.credentialProviderConfigurations?.[0]) };
  if (server.mcpToolSchema?.inlinePayload !== undefined) out.inlineTools = parseInlineTools(server.mcpToolSchema.inlinePayload);
  if (server.listingMode === 'DYNAMIC') out.dynamic = true;
  return out;
}

async function resolveCredential(identity: IdentityPort, c: CredentialConfigInput | undefined): Promise<TargetCredential> {
  if (!c) return { kind: 'none' };
  const at = 'credentialProviderConfigurations[0]';
  switch (c.credentialProviderType) {
    case 'OAUTH': {
      const o = c.credentialProvider?.oauthCredentialProvider;
      if (!o) throw refuse(`${at}.credentialProvider.oauthCredentialProvider`, 'is required for credentialProviderType OAUTH.');
      const ref = await identity.credentialProvider(o.providerArn);
      if (ref.kind !== 'oauth2') throw refuse(`${at}.credentialProvider.oauthCredentialProvider.providerArn`, 'must name an OAuth2 credential provider.');
      if (o.grantType === 'TOKEN_EXCHANGE') throw refuse(`${at}.credentialProvider.oauthCredentialProvider.grantType`, 'TOKEN_EXCHANGE is not supported by Mandate\'s gateway yet; use AUTHORIZATION_CODE or CLIENT_CREDENTIALS.');
      // Consent is confirmed on Mandate's built-in return page, which signs the user in with the gateway's authorizer.
      if (o.defaultReturnUrl !== undefined) throw refuse(`${at}.credentialProvider.oauthCredentialProvider.defaultReturnUrl`, 'Mandate\'s gateway confirms each user on its built-in return page; leave defaultReturnUrl out.');
      const cred: TargetCredential = { kind: 'oauth2', providerName: ref.name, scopes: o.scopes, flow: o.grantType === 'AUTHORIZATION_CODE' ? 'USER_FEDERATION' : 'M2M' };
      if (o.customParameters) cred.customParameters = o.customParameters;
      return cred;
    }
    case 'API_KEY': {
      const k = c.credentialProvider?.apiKeyCredentialProvider;
      if (!k) throw refuse(`${at}.credentialProvider.apiKeyCredentialProvider`, 'is required for credentialProviderType API_KEY.');
      const ref = await identity.credentialProvider(k.providerArn);
      if (ref.kind !== 'apikey') throw refuse(`${at}.credentialProvider.apiKeyCredentialProvider.providerArn`, 'must name an API key credential provider.');
      const location = k.credentialLocation ?? 'HEADER';
      // AgentCore's defaults: `Authorization: Bearer <key>` in a header, `api_key=<key>` in the query.
      const cred: TargetCredential = { kind: 'apikey', providerName: ref.name, location, parameterName: k.credentialParameterName ?? (location === 'HEADER' ? 'Authorization' : 'api_key') };
      const prefix = k.credentialPrefix ?? (location === 'HEADER' && cred.parameterName.toLowerCase() === 'authorization' ? 'Bearer' : undefined);
      if (prefix !== undefined) cred.prefix = prefix;
      return cred;
    }
    default:
      throw refuse(`${at}.credentialProviderType`, `${c.credentialProviderType} is not supported by Mandate's gateway; use OAUTH or API_KEY (or no credential).`);
  }
}

function parseInlineTools(payload: string): ToolDefinition[] {
  const at = 'targetConfiguration.mcp.mcpServer.mcpToolSchema.inlinePayload';
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    throw refuse(at, 'must be a JSON array of MCP tool definitions.');
  }
  if (!Array.isArray(v) || v.length === 0) throw refuse(at, 'must be a non-empty JSON array of MCP tool definitions.');
  return v.map((t, i) => checkTool(t, `${at}[${i}]`));
}

/** One MCP tool definition, from an inline schema or an upstream tools/list: a valid name and an object input schema. */
export function checkTool(t: unknown, at: string): ToolDefinition {
  if (!t || typeof t !== 'object' || Array.isArray(t)) throw refuse(at, 'must be an MCP tool definition object.');
  const tool = t as Record<string, unknown>;
  if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) throw refuse(`${at}.name`, 'must be 1–128 letters, digits, _, - or .');
  const schema = tool.inputSchema as Record<string, unknown> | undefined;
  if (!schema || typeof schema !== 'object' || schema.type !== 'object') throw refuse(`${at}.inputSchema`, 'must be a JSON Schema with type "object".');
  return tool as ToolDefinition;
}
