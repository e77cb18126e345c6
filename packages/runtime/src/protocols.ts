/**
 * What each `serverProtocol` asks of the agent process (AgentCore's service contracts, one per protocol):
 * where invocations go, and what Mandate polls to know the agent is up. Adding a protocol is one entry here.
 */
export interface ProtocolContract {
  /** The agent's path that InvokeAgentRuntime relays to. */
  invokePath: string;
  /** GET this until it answers 200 before the first invocation; also polled for HealthyBusy. */
  healthPath: string;
  /** Where the agent publishes its card (GetAgentCard), for protocols that have one. */
  cardPath?: string;
  /** Any HTTP answer on healthPath means "up" (MCP servers answer GET /mcp with 405 or 400, not 200). */
  healthAnyStatus?: boolean;
  /** Methods callers may use on the invocation URL besides POST. */
  extraMethods?: readonly string[];
  /** The agent's HTTP status is part of the protocol and is relayed as is (not turned into RuntimeClientError). */
  relayStatus?: boolean;
}

export const PROTOCOLS = {
  /** The HTTP contract: POST /invocations, GET /ping. */
  HTTP: { invokePath: '/invocations', healthPath: '/ping' },
  /** A2A: JSON-RPC at `/`, the agent card at /.well-known/agent-card.json (A2A §5.3), which is also its health check. */
  A2A: { invokePath: '/', healthPath: '/.well-known/agent-card.json', cardPath: '/.well-known/agent-card.json' },
  /**
   * MCP (streamable HTTP, spec 2025-06-18/2025-11-25): POST/GET/DELETE /mcp. The caller's Mcp-Session-Id
   * is Mandate's runtime session id (data/mcp-session.ts); statuses (202, 404 for an ended session) are relayed.
   */
  MCP: { invokePath: '/mcp', healthPath: '/mcp', healthAnyStatus: true, extraMethods: ['GET', 'DELETE'], relayStatus: true },
} as const satisfies Record<string, ProtocolContract>;

export type ServerProtocol = keyof typeof PROTOCOLS;

export const contractOf = (protocol: ServerProtocol): ProtocolContract => PROTOCOLS[protocol];
