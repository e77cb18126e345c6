// A stateful streamable-HTTP MCP server written with the official @modelcontextprotocol/sdk, on AgentCore's
// MCP contract (POST/GET/DELETE /mcp on $PORT). Its `whoami` tool answers with what Mandate injected:
// the runtime session id and the workload access token of the calling user.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

const transports = new Map<string, StreamableHTTPServerTransport>();
let current: IncomingMessage | undefined;

function newServer(): McpServer {
  const server = new McpServer({ name: 'mandate-test-mcp', version: '1.0.0' });
  server.registerTool('whoami', { description: 'What Mandate told this server about the caller.' }, async () => ({
    content: [{
      type: 'text',
      text: JSON.stringify({
        runtimeSessionId: current?.headers['x-amzn-bedrock-agentcore-runtime-session-id'] ?? null,
        wat: current?.headers['workloadaccesstoken'] ?? null,
        pid: process.pid,
      }),
    }],
  }));
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

createServer(async (req, res) => {
  if (!req.url?.startsWith('/mcp')) {
    res.writeHead(404).end();
    return;
  }
  current = req;
  const sessionId = req.headers['mcp-session-id'];
  const body = req.method === 'POST' ? await readJson(req) : undefined;
  let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId !== undefined || !isInitializeRequest(body)) {
      res.writeHead(sessionId === undefined ? 400 : 404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'No valid session' }, id: null }));
      return;
    }
    const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, t);
      },
    });
    t.onclose = () => {
      if (t.sessionId) transports.delete(t.sessionId);
    };
    await newServer().connect(t);
    transport = t;
  }
  await transport.handleRequest(req, res, body);
}).listen(Number(process.env.PORT), '127.0.0.1');
