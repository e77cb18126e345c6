import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { MandateError, type Logger } from '@mandate/core';

/** Keep-alive connections to agents: one TCP handshake per session, not per invocation. */
const agentPool = new Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 10_000 });

export interface ProxyArgs {
  port: number;
  /** The agent's path for invocations (its protocol's contract). */
  path: string;
  /** POST unless the protocol says otherwise (MCP also GETs its event stream and DELETEs its session). */
  method?: string;
  /**
   * Relay the agent's non-2xx answers as they are: for protocols where a status is part of the
   * conversation (MCP: 404 means "session gone, initialize again", 202 "notification accepted").
   */
  relayStatus?: boolean;
  /** Adjusts the headers sent to the caller from the agent's (e.g. translating an MCP session id). */
  onResponseHeaders?: (agent: IncomingMessage['headers'], out: Record<string, string>) => void;
  headers: Record<string, string>;
  body: Buffer;
  res: ServerResponse;
  /** Extra response headers (session id echo). */
  responseHeaders: Record<string, string>;
  /** No response headers from the agent within this time → RuntimeClientError. */
  responseTimeoutMs: number;
  logger: Logger;
}

/** The cause of a RuntimeClientError when the connection to the agent failed before any answer. */
export class AgentUnreachable extends Error {
  constructor(cause: Error) {
    super('connection to the agent failed', { cause });
    this.name = 'AgentUnreachable';
  }
}

/** True when `err` is a proxy failure at the connection level (refused, reset, closed before answering). */
export function agentUnreachable(err: unknown): boolean {
  return err instanceof MandateError && err.cause instanceof AgentUnreachable;
}

const ECHO = ['content-type', 'cache-control', 'x-accel-buffering', 'mcp-session-id', 'mcp-protocol-version', 'traceparent', 'tracestate', 'baggage', 'x-amzn-trace-id'];

/**
 * Holds the response's writes until the end of the current event-loop turn, so the headers, what the agent
 * has already sent and (for a short answer) the end of the chunked stream leave in one write instead of
 * three or more (each loopback write wakes the reader: that, not copying, is what a small write costs).
 * A streaming agent's later chunks are held the same way, so none waits longer than one turn; headers go
 * out at the end of the first turn even when the agent has sent nothing after them yet.
 * The socket is corked, not the response: a corked ServerResponse buffers chunked data apart and end()
 * writes the terminating chunk before that buffer (Node 24), which would cut the stream's last event.
 */
function relayCorked(up: IncomingMessage, res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  let corked = false;
  const flush = (): void => {
    corked = false;
    // end() has already fully uncorked the socket and sent everything; the socket may serve the next request by now.
    if (res.writableEnded) return;
    socket.uncork();
    if (!res.headersSent) res.flushHeaders();
  };
  const hold = (): void => {
    if (corked || res.writableEnded) return;
    corked = true;
    socket.cork();
    setImmediate(flush);
  };
  hold();
  up.on('data', hold);
}

/**
 * Sends the invocation to the agent and streams its answer back as it is produced (`pipe`: no
 * buffering, backpressure both ways). Failures before the first byte — refused connection, crash,
 * timeout, a non-2xx status — become RuntimeClientError (424) with Mandate's own message: the agent's
 * error body is never passed through (a `code` field in it would become the SDK's error type,
 * reference §1.1). After streaming has begun, a failure can only cut the stream.
 * Resolves when the exchange is over (either way).
 */
export function proxyInvocation(a: ProxyArgs): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string, detail: Record<string, unknown>, cause?: Error) => {
      if (settled) return;
      settled = true;
      a.logger.warn('agent invocation failed', { ...detail, message });
      reject(new MandateError('runtime_client_error', message, cause ? { cause: new AgentUnreachable(cause) } : undefined));
    };
    const req = request({
      host: '127.0.0.1', port: a.port, method: a.method ?? 'POST', path: a.path, agent: agentPool,
      headers: { ...a.headers, 'content-length': String(a.body.length) },
    });
    const timer = setTimeout(() => {
      fail('The agent did not respond in time.', { reason: 'timeout' });
      req.destroy();
    }, a.responseTimeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!settled) fail('The agent could not be reached or closed the connection before responding.', { reason: err.code ?? err.message }, err);
      else if (!a.res.writableEnded) a.res.destroy();
    });
    req.on('response', (up: IncomingMessage) => {
      clearTimeout(timer);
      const status = up.statusCode ?? 502;
      if ((status < 200 || status >= 300) && !a.relayStatus) {
        up.resume();
        fail(`The agent returned an error (HTTP ${status}).`, { reason: 'status', status });
        return;
      }
      settled = true;
      const headers: Record<string, string> = { ...a.responseHeaders };
      for (const h of ECHO) {
        const v = up.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      a.onResponseHeaders?.(up.headers, headers);
      if (up.headers['content-type'] !== undefined || !a.relayStatus) headers['content-type'] ??= 'application/octet-stream';
      a.res.writeHead(status, headers);
      relayCorked(up, a.res);
      up.pipe(a.res);
      const done = () => resolve();
      up.on('error', () => a.res.destroy());
      a.res.on('close', () => {
        if (!a.res.writableFinished) up.destroy(); // the caller went away: stop reading from the agent
        done();
      });
    });
    a.res.on('close', () => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve();
      }
    });
    req.end(a.body);
  });
}
