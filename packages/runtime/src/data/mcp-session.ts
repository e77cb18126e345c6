import type { IncomingMessage } from 'node:http';
import type { LiveSession } from '../sessions/session-manager.ts';

export const MCP_SESSION_HEADER = 'mcp-session-id';

/**
 * MCP sessions on the runtime. The caller's `Mcp-Session-Id` is Mandate's runtime session id, so the
 * session's owner binding (one user per session, checked before the agent sees anything) covers MCP too,
 * and every request of a conversation reaches the same agent process. The agent's own session id (a
 * stateful server's) is kept with the live session and swapped in on the way to the agent; callers never
 * see it. A session id whose agent process no longer knows it (restarted after the idle timeout) is a 404,
 * which MCP clients answer by initializing again (spec: Session Management).
 */
export function mcpSessionIdOf(req: IncomingMessage): string | undefined {
  const v = req.headers[MCP_SESSION_HEADER];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Is this JSON-RPC body an `initialize` request (or a batch holding one)? Only parsed for MCP runtimes. */
export function isInitialize(body: Buffer): boolean {
  if (body.length === 0) return false;
  try {
    const msg = JSON.parse(body.toString('utf8')) as unknown;
    const list = Array.isArray(msg) ? msg : [msg];
    return list.some((m) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'initialize');
  } catch {
    return false;
  }
}

/** The JSON-RPC error body of a 404 for a session the agent no longer has. */
export const SESSION_GONE = JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found: initialize a new session.' }, id: null });

/** Headers toward the agent: its own session id in place of the caller's. */
export function toAgent(session: LiveSession, headers: Record<string, string>): void {
  delete headers[MCP_SESSION_HEADER];
  const agentId = session.mcp?.agentSessionId;
  if (agentId !== undefined) headers[MCP_SESSION_HEADER] = agentId;
}

/** Headers toward the caller: remember what `initialize` established; the caller sees the runtime session id. */
export function fromAgent(session: LiveSession, runtimeSessionId: string, initialize: boolean, method: string, agent: IncomingMessage['headers'], out: Record<string, string>): void {
  const agentId = agent[MCP_SESSION_HEADER];
  if (initialize) session.mcp = typeof agentId === 'string' ? { agentSessionId: agentId } : {};
  if (method === 'DELETE') delete session.mcp;
  out[MCP_SESSION_HEADER] = runtimeSessionId;
}
