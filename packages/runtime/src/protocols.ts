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
}

export const PROTOCOLS = {
  /** The HTTP contract: POST /invocations, GET /ping. */
  HTTP: { invokePath: '/invocations', healthPath: '/ping' },
  /** A2A: JSON-RPC at `/`, the agent card at /.well-known/agent-card.json (A2A §5.3), which is also its health check. */
  A2A: { invokePath: '/', healthPath: '/.well-known/agent-card.json', cardPath: '/.well-known/agent-card.json' },
} as const satisfies Record<string, ProtocolContract>;

export type ServerProtocol = keyof typeof PROTOCOLS;

export const contractOf = (protocol: ServerProtocol): ProtocolContract => PROTOCOLS[protocol];
