import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { MandateError, uuid, type Logger, silentLogger } from '@mandate/core';
import type { Router, RequestContext, UpgradeContext } from './router.ts';
import { sendAwsError } from './aws-errors.ts';

export type ErrorRenderer = (res: ServerResponse, err: unknown, requestId: string, logger: Logger, req: IncomingMessage) => void;

export interface ServeOptions {
  logger?: Logger;
  /** How errors are rendered; AWS restJson1 by default. */
  renderError?: ErrorRenderer;
  /** Called before routing; may answer the request itself (return true). */
  before?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** Builds the request listener: request id, routing on the raw path, one error renderer. */
export function createListener(router: Router, options: ServeOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const logger = options.logger ?? silentLogger;
  const render: ErrorRenderer = options.renderError ?? ((res, err, id, log) => sendAwsError(res, err, id, log));
  return (req, res) => {
    const requestId = uuid();
    res.setHeader('x-amzn-requestid', requestId);
    if (options.before?.(req, res)) return;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const method = req.method ?? 'GET';
    const m = router.match(method, rawPath);
    if (m === undefined || m === 'method') {
      req.resume();
      const err = m === 'method'
        ? new MandateError('method_not_allowed', `Method ${method} is not allowed on this path.`)
        : router.matchUpgrade(rawPath)
          ? new MandateError('validation', 'This path only takes a WebSocket opening handshake (GET with Upgrade: websocket).')
          : new MandateError('unsupported_operation', 'No operation is served at this path.');
      render(res, err, requestId, logger, req);
      return;
    }
    const ctx: RequestContext = { req, res, rawPath, params: m.params, query, requestId };
    let p: Promise<void> | void;
    try {
      p = m.handler(ctx);
    } catch (err) {
      render(res, err, requestId, logger, req);
      return;
    }
    if (p) p.catch((err: unknown) => render(res, err, requestId, logger, req));
  };
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on loopback (port 0 = any free port) and resolves with the URL. */
export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const h = host.includes(':') ? `[${host}]` : host;
      resolve({
        server,
        port: addr.port,
        url: `http://${h}:${addr.port}`,
        close: () => closeServer(server),
      });
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

export function serve(router: Router, options: ServeOptions = {}): Server {
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 30_000, requestTimeout: 0 }, createListener(router, options));
  server.on('upgrade', createUpgradeListener(router, options));
  return server;
}

/**
 * Routes Upgrade requests. Each gets a ServerResponse bound to its socket, so a refusal (401, 403, 404...)
 * is an ordinary HTTP response rendered by the same error renderer, and the socket is closed after it.
 */
export function createUpgradeListener(router: Router, options: ServeOptions = {}): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const logger = options.logger ?? silentLogger;
  const render: ErrorRenderer = options.renderError ?? ((res, err, id, log) => sendAwsError(res, err, id, log));
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const requestId = uuid();
    const res = new ServerResponse(req);
    res.assignSocket(socket as Parameters<ServerResponse['assignSocket']>[0]);
    res.shouldKeepAlive = false;
    res.setHeader('x-amzn-requestid', requestId);
    res.on('finish', () => socket.end());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const m = req.method === 'GET' ? router.matchUpgrade(rawPath) : undefined;
    if (!m) {
      render(res, new MandateError('unsupported_operation', 'No WebSocket is served at this path.'), requestId, logger, req);
      return;
    }
    const ctx: UpgradeContext = { req, res, socket, head, rawPath, params: m.params, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)), requestId };
    Promise.resolve()
      .then(() => m.handler(ctx))
      .catch((err: unknown) => {
        if (res.socket) render(res, err, requestId, logger, req);
        else socket.destroy();
      });
  };
}
