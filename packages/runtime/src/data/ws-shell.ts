import type { IncomingMessage } from 'node:http';
import { MandateError } from '@mandate/core';
import { defineUpgradeRoute } from '@mandate/edge';
import { z } from 'zod';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RuntimeEnv } from '../env.ts';
import { SessionShell, type ShellOutput } from '../sessions/session-shell.ts';
import { wsHeaders, wsQuery } from './inputs.ts';
import { openSession } from './open-session.ts';
import { authenticateUpgrade, BEARER_PROTOCOL } from './ws-handshake.ts';

/** The SDK's shell framing (bedrock-agentcore runtime/shell/protocol): one channel byte, then the payload. */
const CH = { STDIN: 0, STDOUT: 1, STDERR: 2, STATUS: 3, RESIZE: 4, HEARTBEAT: 5, CLOSE: 255 } as const;
const MAX_FRAME = 64 * 1024;
/** Close code the SDK reads as "another client took this shell" (ShellSession.kicked). */
const KICKED = 4000;

const shellQuery = wsQuery.extend({ shellId: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}$/, 'Member must start with a letter or digit and hold 1 to 128 of [a-zA-Z0-9_-]') });

const frame = (channel: number, payload: Buffer = Buffer.alloc(0)) => Buffer.concat([Buffer.from([channel]), payload]);
const status = (body: unknown) => frame(CH.STATUS, Buffer.from(JSON.stringify(body)));

/** The termination STATUS the SDK parses into ShellSession.exitCode. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): unknown {
  if (code === 0) return { status: 'Success' };
  const exit = code ?? (signal === 'SIGKILL' ? 137 : 143);
  return { status: 'Failure', details: { causes: [{ reason: 'ExitCode', message: String(exit) }] } };
}

function send(ws: WebSocket, o: ShellOutput): void {
  for (let i = 0; i < o.data.length; i += MAX_FRAME - 1) ws.send(frame(o.channel, o.data.subarray(i, i + MAX_FRAME - 1)));
}

/**
 * GET /runtimes/{agentRuntimeArn}/ws/shells?shellId=… (Upgrade: websocket): the interactive shell of the
 * bedrock-agentcore RuntimeClient's `openShell`, in the session's agent environment. Authentication as for
 * `/ws` (SigV4 headers, presigned URL, OAuth bearer), and like InvokeAgentRuntimeCommand only admin keys may
 * open one (a shell sees the agent's credentials). A shellId that is still running is reattached (its missed
 * output replayed, the earlier client closed with 4000); the shell ends with its exit status, on a CLOSE
 * frame, or with the session.
 */
export function runtimeShell(env: RuntimeEnv) {
  const accepted = new WeakMap<IncomingMessage, string | false>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false, handleProtocols: (_o, req) => accepted.get(req) ?? false });
  const clients = new Map<SessionShell, WebSocket>();

  return defineUpgradeRoute({
    upgrade: true,
    path: '/runtimes/:agentRuntimeArn/ws/shells',
    query: shellQuery,
    headers: wsHeaders,
    async handle({ query, headers: h, rc }) {
      const { req, socket, head } = rc;
      const { target, caller, offered, sessionId } = await authenticateUpgrade(env, rc, query, h);
      if (caller.via !== 'admin-key') {
        throw new MandateError('access_denied', 'Opening a shell in a runtime session needs an admin access key: a shell sees the agent\'s environment and credentials, which serve every user of the runtime.');
      }
      const session = await openSession(env, target, caller, sessionId);
      accepted.set(req, offered.includes(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false);
      rc.res.detachSocket(socket as Parameters<typeof rc.res.detachSocket>[0]);
      wss.handleUpgrade(req, socket, head, (ws) => {
        let shell = session.shells.get(query.shellId);
        const reconnected = shell !== undefined && shell.exit === undefined;
        if (!reconnected) {
          const { cwd, env: agentEnv } = session.proc.environment;
          shell = new SessionShell(query.shellId, cwd, agentEnv);
          session.shells.set(query.shellId, shell);
        }
        const sh = shell!;
        const previous = clients.get(sh);
        if (previous) previous.close(KICKED, 'Another client attached to this shell');
        clients.set(sh, ws);
        const close = (code: number, reason: string) => ws.close(code, reason);
        session.attached.add(close);
        const { replay, dropped } = sh.attach((o) => send(ws, o), (code, signal) => {
          ws.send(status(exitStatus(code, signal)));
          session.shells.delete(sh.id);
          ws.close(1000, 'Shell exited');
        });
        ws.send(status({ metadata: { shellId: sh.id, sessionId, reconnected, bytesDropped: dropped } }));
        for (const o of replay) send(ws, o);
        ws.on('message', (data: Buffer, isBinary) => {
          session.lastActivity = env.services.clock.now();
          // The protocol is binary; a text frame is a client error (RFC 6455 §7.4.1: 1003, data it cannot accept).
          if (!isBinary || data.length === 0) return ws.close(1003, 'Shell frames are binary');
          const payload = data.subarray(1);
          switch (data[0]) {
            case CH.STDIN:
              sh.write(payload);
              break;
            case CH.HEARTBEAT:
              ws.send(frame(CH.HEARTBEAT));
              break;
            case CH.CLOSE:
              sh.kill();
              break;
            default:
              break; // RESIZE: there is no pseudo-terminal to resize; unknown channels are ignored
          }
        });
        ws.on('close', () => {
          session.attached.delete(close);
          if (clients.get(sh) === ws) {
            clients.delete(sh);
            sh.detach();
          }
        });
        ws.on('error', () => undefined);
      });
    },
  });
}
