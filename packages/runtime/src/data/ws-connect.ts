import type { IncomingMessage } from 'node:http';
import { defineUpgradeRoute } from '@mandate/edge';
import { WebSocketServer } from 'ws';
import type { RuntimeEnv } from '../env.ts';
import { allowedHeaders } from './forward-headers.ts';
import { SESSION_HEADER, wsHeaders, wsQuery } from './inputs.ts';
import { openSession } from './open-session.ts';
import { openAgentSocket } from './ws-agent.ts';
import { relay } from './ws-relay.ts';
import { authenticateUpgrade, BEARER_PROTOCOL } from './ws-handshake.ts';

const REQUEST_ID_HEADER = 'x-amzn-bedrock-agentcore-runtime-request-id';
const AGENT_HANDSHAKE_MS = 30_000;

interface Accepted {
  protocol: string | false;
  sessionId: string;
  requestId: string;
}

/**
 * GET /runtimes/{agentRuntimeArn}/ws (Upgrade: websocket): AgentCore's bidirectional stream. The caller
 * is authenticated as for InvokeAgentRuntime (SigV4 headers, a SigV4-presigned URL, or an OAuth bearer in
 * Authorization or Sec-WebSocket-Protocol), the session is bound to its user, the agent's own `/ws` is
 * opened with the same injected headers (session id, WAT, callback URL), and only then is the caller's
 * handshake answered; any refusal is an HTTP error before the upgrade completes. Frames are relayed both
 * ways with backpressure; oversized frames close with 1009; StopRuntimeSession, the idle timeout and the
 * session's lifetime close the socket with their reason.
 */
export function runtimeWebSocket(env: RuntimeEnv) {
  const accepted = new WeakMap<IncomingMessage, Accepted>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: env.options.maxPayloadBytes,
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => accepted.get(req)?.protocol ?? false,
  });
  wss.on('headers', (headers, req) => {
    const a = accepted.get(req);
    if (a) headers.push(`X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: ${a.sessionId}`, `x-amzn-requestid: ${a.requestId}`);
  });

  return defineUpgradeRoute({
    upgrade: true,
    path: '/runtimes/:agentRuntimeArn/ws',
    query: wsQuery,
    headers: wsHeaders,
    async handle({ query, headers: h, rc }) {
      const { services } = env;
      const { req, socket, head } = rc;
      const { target, caller, offered, sessionId } = await authenticateUpgrade(env, rc, query, h);
      const forAgent = offered.filter((p) => p !== BEARER_PROTOCOL && !p.startsWith(`${BEARER_PROTOCOL}.`));
      const rt = target.runtime;
      const [session, wat] = await openSession(env, target, caller, sessionId, true);
      const logger = services.logger.child({ agentRuntimeId: rt.agentRuntimeId, runtimeSessionId: sessionId });
      const agent = await openAgentSocket({
        port: session.proc.port,
        headers: {
          ...allowedHeaders(req.headers, target.version.requestHeaderAllowlist),
          [SESSION_HEADER]: sessionId,
          [REQUEST_ID_HEADER]: rc.requestId,
          workloadaccesstoken: wat,
          'x-amz-bedrock-agentcore-identity-wat': wat,
          oauth2callbackurl: env.identity.returnPageUrl,
        },
        protocols: forAgent,
        maxPayload: env.options.maxPayloadBytes,
        timeoutMs: AGENT_HANDSHAKE_MS,
        logger,
      });
      if (socket.destroyed) {
        agent.terminate();
        return;
      }
      // The agent's choice of subprotocol wins; else the bare bearer name the SDK offers, never the token itself.
      const protocol = agent.protocol !== '' ? agent.protocol : offered.includes(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false;
      accepted.set(req, { protocol, sessionId, requestId: rc.requestId });
      rc.res.detachSocket(socket as Parameters<typeof rc.res.detachSocket>[0]);
      wss.handleUpgrade(req, socket, head, (client) => {
        const close = (code: number, reason: string) => {
          client.close(code, reason);
          agent.close(code, reason);
        };
        session.attached.add(close);
        logger.info('websocket opened');
        relay(client, agent, {
          activity: () => {
            session.lastActivity = services.clock.now();
          },
          done: () => {
            session.attached.delete(close);
            logger.info('websocket closed');
          },
        });
      });
    },
  });
}
