import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, UrlElicitationRequiredError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { UserError } from '../command.ts';
import type { DevJson } from '../stack/dev-json.ts';

export interface GatewaySession {
  listTools(): Promise<Tool[]>;
  /** A tool's result, or the consent the user must give first (the gateway's URL elicitation). */
  callTool(name: string, args: Record<string, unknown>): Promise<{ result: CallToolResult } | { consentUrl: string; message: string }>;
  close(): Promise<void>;
}

/** The dev stack's gateway, or a clear message about why there is none. */
export function devGateway(d: DevJson): NonNullable<DevJson['gateway']> {
  if (!d.gateway) throw new UserError('The local stack has no MCP gateway.', 'Restart `npm start` without --no-agent: the seed setup creates the weather gateway.');
  return d.gateway;
}

/**
 * An MCP session with a gateway as the signed-in user, through the official MCP SDK client (the user's
 * bearer token on every request, URL elicitation declared so consent comes back as a link).
 */
export async function connectGateway(gatewayUrl: string, bearerToken: string): Promise<GatewaySession> {
  const transport = new StreamableHTTPClientTransport(new URL(gatewayUrl), { requestInit: { headers: { authorization: `Bearer ${bearerToken}` } } });
  const client = new Client({ name: 'mandate-cli', version: '0.1.0' }, { capabilities: { elicitation: { url: {} } } });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new UserError(`Cannot open an MCP session with the gateway at ${gatewayUrl}: ${(err as Error).message}.`, 'Is `npm start` still running?');
  }
  return {
    listTools: async () => (await client.listTools()).tools,
    callTool: async (name, args) => {
      try {
        return { result: (await client.callTool({ name, arguments: args })) as CallToolResult };
      } catch (err) {
        if (err instanceof UrlElicitationRequiredError && err.elicitations[0]) return { consentUrl: err.elicitations[0].url, message: err.elicitations[0].message };
        if (err instanceof McpError) throw new UserError(`The gateway refused the call: ${err.message.replace(/^MCP error -?\d+: /, '')}`, err.code === -32602 ? 'List the tools with `mandate tools --user <user>`.' : undefined);
        throw err;
      }
    },
    close: async () => {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}
