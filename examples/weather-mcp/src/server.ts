/**
 * The weather tool of the seed scenario as an MCP server: streamable HTTP on `/mcp`, built with the
 * official MCP SDK, stateless (each POST is answered on its own, so any number of users and gateways can
 * share one process). Listing the tools needs no token; calling `get_weather` needs the user's Entra
 * access token as `Authorization: Bearer`, checked as a resource server checks it (signature against the
 * tenant's JWKS when configured, expiry, the delegated scope, the user's `oid`), and the answer names the
 * user whose token it was. Behind Mandate's gateway that token comes from the vault: the MCP client and
 * the model never hold it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { WeatherApi } from '@mandate/weather-agent/weather-api';

export interface WeatherMcpOptions {
  weatherApi: WeatherApi;
  port?: number;
  host?: string;
}

export interface WeatherMcpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:8000/mcp. */
  url: string;
  /** How many tools/call requests arrived without a bearer token (a gateway that forgot to inject one). */
  readonly callsWithoutToken: number;
  close(): Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;

function bearerOf(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const h = headers?.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

function mcpServer(api: WeatherApi, counters: { callsWithoutToken: number }): McpServer {
  const server = new McpServer({ name: 'weather', version: '1.0.0' });
  server.registerTool('get_weather', {
    title: 'Weather forecast',
    description: 'The forecast for a city, checked with the signed-in user\'s token.',
    inputSchema: { city: z.string().trim().min(1).max(100).describe('City name, e.g. Seattle') },
  }, async ({ city }, extra) => {
    const token = bearerOf(extra.requestInfo?.headers);
    if (!token) {
      counters.callsWithoutToken++;
      return { isError: true, content: [{ type: 'text', text: 'No user token: call this tool through a gateway that injects the user\'s Entra token.' }] };
    }
    try {
      const report = await api.forecast(city, token);
      return { content: [{ type: 'text', text: JSON.stringify(report) }], structuredContent: { ...report } };
    } catch (err) {
      return { isError: true, content: [{ type: 'text', text: `The token was refused: ${err instanceof Error ? err.message : String(err)}` }] };
    }
  });
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > BODY_LIMIT) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startWeatherMcpServer(options: WeatherMcpOptions): Promise<WeatherMcpServer> {
  const counters = { callsWithoutToken: 0 };
  const http: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ping' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Healthy"}');
      return;
    }
    if (path !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream and no session to end.
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
      return;
    }
    const server = mcpServer(options.weatherApi, counters);
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/mcp`,
    get callsWithoutToken() {
      return counters.callsWithoutToken;
    },
    close: () => new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
}
