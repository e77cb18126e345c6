import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { MandateError, type Logger } from '@mandate/core';

/** Keep-alive connections to agents: one TCP handshake per session, not per invocation. */
const agentPool = new Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 10_000 });

export interface ProxyArgs {
  port: number;
  headers: Record<string, string>;
  body: Buffer;
  res: ServerResponse;
  /** Extra response headers (session id echo). */
  responseHeaders: Record<string, string>;
  /** No response headers from the agent within this time → RuntimeClientError. */
  responseTimeoutMs: number;
  logger: Logger;
}

const ECHO = ['content-type', 'cache-control', 'x-accel-buffering', 'mcp-session-id', 'mcp-protocol-version', 'traceparent', 'tracestate', 'baggage', 'x-amzn-trace-id'];

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
    const fail = (message: string, detail: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      a.logger.warn('agent invocation failed', { ...detail, message });
      reject(new MandateError('runtime_client_error', message));
    };
    const req = request({
      host: '127.0.0.1', port: a.port, method: 'POST', path: '/invocations', agent: agentPool,
      headers: { ...a.headers, 'content-length': String(a.body.length) },
    });
    const timer = setTimeout(() => {
      fail('The agent did not respond in time.', { reason: 'timeout' });
      req.destroy();
    }, a.responseTimeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!settled) fail('The agent could not be reached or closed the connection before responding.', { reason: err.code ?? err.message });
      else if (!a.res.writableEnded) a.res.destroy();
    });
    req.on('response', (up: IncomingMessage) => {
      clearTimeout(timer);
      const status = up.statusCode ?? 502;
      if (status < 200 || status >= 300) {
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
      headers['content-type'] ??= 'application/octet-stream';
      a.res.writeHead(status, headers);
      a.res.flushHeaders();
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
