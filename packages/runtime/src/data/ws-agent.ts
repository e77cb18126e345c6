import { MandateError, type Logger } from '@mandate/core';
import { WebSocket } from 'ws';

export interface AgentSocketOptions {
  port: number;
  headers: Record<string, string>;
  /** Subprotocols the caller offered for the agent (never Mandate's own bearer carrier). */
  protocols: string[];
  maxPayload: number;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Opens the agent's WebSocket (`ws://127.0.0.1:{port}/ws`, the container contract's path) before the
 * caller's handshake is answered, so an agent that serves no WebSocket, refuses, or is not there makes
 * the caller's upgrade fail with an HTTP error (RuntimeClientError 424), not a socket that opens and dies.
 */
export function openAgentSocket(o: AgentSocketOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${o.port}/ws`, o.protocols, {
      headers: o.headers,
      maxPayload: o.maxPayload,
      handshakeTimeout: o.timeoutMs,
      perMessageDeflate: false,
    });
    const fail = (message: string, detail: Record<string, unknown>) => {
      o.logger.warn('agent websocket failed', detail);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      reject(new MandateError('runtime_client_error', message));
    };
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.removeAllListeners('unexpected-response');
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      fail(res.statusCode === 404
        ? 'The agent does not serve WebSockets: its app has no /ws handler (BedrockAgentCoreApp websocketHandler).'
        : `The agent refused the WebSocket with HTTP ${res.statusCode}.`, { status: res.statusCode });
    });
    ws.once('error', (err) => fail('The agent could not be reached over WebSocket.', { error: err.message }));
  });
}
