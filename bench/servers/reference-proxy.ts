/**
 * The calibration for runtime-overhead's throughput: a bare node:http reverse proxy in its own process,
 * forwarding POST /invocations to an agent over keep-alive connections and piping the answer back,
 * with none of Mandate's work (no authentication, no session binding, no workload token). What it
 * reaches against the same agent is what any Node proxy hop costs on this machine; Mandate's ratio is
 * read against it (docs/benchmarks.md).
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveRpc } from '../lib/rpc.ts';

let server: Server | undefined;

const HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** The caller's headers (content type, accept, session id...) minus the hop-by-hop ones. */
function forwarded(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string' && !HOP.has(k)) out[k] = v;
  return out;
}

serveRpc({
  start: async (a: { targetPort: number }) => {
    const pool = new Agent({ keepAlive: true, maxSockets: 64 });
    server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const up = request({
          host: '127.0.0.1', port: a.targetPort, method: 'POST', path: '/invocations', agent: pool,
          headers: { ...forwarded(req.headers), 'content-length': String(body.length) },
        }, (r) => {
          res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'application/octet-stream' });
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        up.end(body);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid };
  },
}, async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});
