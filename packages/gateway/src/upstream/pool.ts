import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListToolsResultSchema, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MandateError } from '@mandate/core';
import { checkResolvedHost } from '@mandate/edge';

/**
 * A tools/call result is relayed, not interpreted: the MCP client that receives it validates it against the
 * tool's schema. Parsing it twice would only add work to every call (bench: gateway-overhead).
 */
const RelayedResult = z.looseObject({});

/** What a request to a target carries: the credential as headers or query parameters (never logged). */
export interface UpstreamAuth {
  headers: Record<string, string>;
  query: Record<string, string>;
}

interface Entry {
  client: Promise<Client>;
  lastUsed: number;
}

/** A failure of the upstream itself (unreachable, refused, timed out), as opposed to an MCP error it answered with. */
export class UpstreamUnavailable extends Error {}

/** The upstream refused the credential the gateway sent (HTTP 401 or 403): revoked, expired at the provider, or wrong. */
export class UpstreamRefusedCredential extends UpstreamUnavailable {
  readonly status: number;
  constructor(status: number, options?: ErrorOptions) {
    super(`it refused the credential (HTTP ${status})`, options);
    this.status = status;
  }
}

/** The HTTP status an upstream answered with, when the SDK's transport reports one (StreamableHTTPError.code). */
function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return !(err instanceof McpError) && typeof code === 'number' && code >= 100 && code <= 599 ? code : undefined;
}

function upstreamFailure(err: unknown): UpstreamUnavailable {
  if (err instanceof UpstreamUnavailable) return err;
  const status = httpStatusOf(err);
  if (status === 401 || status === 403) return new UpstreamRefusedCredential(status, { cause: err });
  return new UpstreamUnavailable(describe(err), { cause: err });
}

/**
 * Connections to the targets' MCP servers, made with the official MCP SDK client over streamable HTTP.
 * One connection per (target endpoint, credential): a user's token is only ever sent on the connection
 * made with it, and a refreshed token opens a new connection (the old one idles out). Bounded in number
 * and idle time; the key holds a hash of the credential, never the credential.
 */
export class UpstreamPool {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #timeoutMs: number;
  readonly #devMode: boolean;
  readonly #sweep: NodeJS.Timeout;

  constructor(options: { maxConnections: number; timeoutMs: number; devMode: boolean; idleMs?: number }) {
    this.#max = options.maxConnections;
    this.#timeoutMs = options.timeoutMs;
    this.#devMode = options.devMode;
    const idle = options.idleMs ?? 5 * 60_000;
    this.#sweep = setInterval(() => {
      const cutoff = performance.now() - idle;
      for (const [k, e] of this.#entries) if (e.lastUsed < cutoff) this.#drop(k);
    }, Math.min(idle, 60_000));
    this.#sweep.unref();
  }

  async listTools(endpoint: string, auth: UpstreamAuth): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#request(endpoint, auth, (c) => c.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } }, ListToolsResultSchema, { timeout: this.#timeoutMs }));
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined && tools.length < 10_000);
    return tools;
  }

  callTool(endpoint: string, auth: UpstreamAuth, name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    return this.#request(endpoint, auth, (c) => c.request({ method: 'tools/call', params: args === undefined ? { name } : { name, arguments: args } }, RelayedResult, { timeout: this.#timeoutMs }) as Promise<CallToolResult>);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    await Promise.all([...this.#entries.keys()].map((k) => this.#drop(k)));
  }

  async #request<T>(endpoint: string, auth: UpstreamAuth, fn: (c: Client) => Promise<T>): Promise<T> {
    const key = this.#key(endpoint, auth);
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= this.#max) this.#evictOldest();
      entry = { client: this.#connect(endpoint, auth), lastUsed: performance.now() };
      this.#entries.set(key, entry);
    }
    entry.lastUsed = performance.now();
    let client: Client;
    try {
      client = await entry.client;
    } catch (err) {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw err;
    }
    try {
      return await fn(client);
    } catch (err) {
      // An MCP error is the server's answer; anything else means the connection is no good any more.
      if (err instanceof McpError && err.code !== -32000 && err.code !== -32001) throw err;
      if (this.#entries.get(key) === entry) void this.#drop(key);
      throw upstreamFailure(err);
    }
  }

  async #connect(endpoint: string, auth: UpstreamAuth): Promise<Client> {
    const url = new URL(endpoint);
    for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v);
    try {
      // The host is resolved again at every connect: a name that now points at a private address is refused (SSRF).
      await checkResolvedHost(url, 'endpoint', this.#devMode);
    } catch (err) {
      throw new UpstreamUnavailable(err instanceof MandateError ? err.message : 'its host could not be checked', { cause: err });
    }
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: auth.headers, redirect: 'error' } });
    const client = new Client({ name: 'mandate-gateway', version: '0.1.0' }, { capabilities: {} });
    try {
      await client.connect(transport, { timeout: Math.min(this.#timeoutMs, 10_000) });
    } catch (err) {
      await client.close().catch(() => {});
      throw upstreamFailure(err);
    }
    return client;
  }

  #key(endpoint: string, auth: UpstreamAuth): string {
    const h = createHash('sha256').update(JSON.stringify([auth.headers, auth.query])).digest('base64url');
    return `${endpoint}\u0000${h}`;
  }

  #evictOldest(): void {
    let oldest: [string, number] | undefined;
    for (const [k, e] of this.#entries) if (!oldest || e.lastUsed < oldest[1]) oldest = [k, e.lastUsed];
    if (oldest) void this.#drop(oldest[0]);
  }

  async #drop(key: string): Promise<void> {
    const e = this.#entries.get(key);
    if (!e) return;
    this.#entries.delete(key);
    await e.client.then((c) => c.close(), () => {}).catch(() => {});
  }
}

/** A plain reason for the log and the client: never the request (it carries the credential). */
function describe(err: unknown): string {
  if (err instanceof UpstreamUnavailable) return err.message;
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `connection failed (${cause.code})`;
  if (err instanceof TypeError && cause?.message) return `connection failed (${cause.message})`;
  if (err instanceof McpError && err.code === -32001) return 'it did not answer in time';
  const answered = httpStatusOf(err);
  if (answered !== undefined) return `it answered HTTP ${answered}`;
  return 'it could not be reached';
}
