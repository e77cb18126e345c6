/**
 * The reference for throughput figures: a bare node:http server in its own process that reads the
 * request body and answers 200 with a JSON body of the same size as Mandate's answer. It does no
 * authentication, no storage and no crypto, so it is the ceiling of one Node process on this machine
 * with the same load generator, connections and request bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveRpc } from '../lib/rpc.ts';

let server: Server | undefined;

serveRpc({
  start: async (a: { bodyBytes: number }) => {
    const pad = Math.max(0, a.bodyBytes - '{"accessToken":""}'.length);
    const body = Buffer.from(JSON.stringify({ accessToken: 'x'.repeat(pad) }));
    server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      req.on('data', () => {});
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'x-amzn-requestid': '00000000-0000-0000-0000-000000000000' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid };
  },
}, async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});
