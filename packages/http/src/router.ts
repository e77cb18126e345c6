import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The raw (still percent-encoded) path, without the query string. */
  rawPath: string;
  /** Path labels, percent-decoded after matching (an ARN arrives as one `%2F`-encoded segment). */
  params: Record<string, string>;
  query: URLSearchParams;
  requestId: string;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

/**
 * An HTTP Upgrade (RFC 9110 §7.8; WebSocket, RFC 6455 §4). `res` is a response on the raw socket for
 * refusing the upgrade in the normal way (any status, the usual error renderer) until the handler
 * completes the handshake itself with `socket` and `head`; after that `res` must not be used.
 */
export interface UpgradeContext extends RequestContext {
  socket: Duplex;
  head: Buffer;
}

export type UpgradeHandler = (ctx: UpgradeContext) => Promise<void> | void;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/**
 * A small router matched on the raw path, segment by segment. Static paths are a map lookup (the
 * hot paths are static); patterns use `:name` segments and an optional trailing `*rest`.
 */
export class Router {
  #static = new Map<string, Handler>();
  #dynamic: Route[] = [];
  #upgrades: { segments: string[]; handler: UpgradeHandler }[] = [];

  /** Registers a handler for Upgrade requests (GET with `Upgrade:`) on a path pattern. */
  upgrade(pattern: string, handler: UpgradeHandler): this {
    this.#upgrades.push({ segments: pattern.split('/'), handler });
    return this;
  }

  matchUpgrade(rawPath: string): { handler: UpgradeHandler; params: Record<string, string> } | undefined {
    const parts = rawPath.split('/');
    for (const u of this.#upgrades) {
      const params = matchSegments(u.segments, parts);
      if (params) return { handler: u.handler, params };
    }
    return undefined;
  }

  add(method: string, pattern: string, handler: Handler): this {
    const m = method.toUpperCase();
    if (!pattern.includes(':') && !pattern.includes('*')) {
      this.#static.set(`${m} ${pattern}`, handler);
    } else {
      this.#dynamic.push({ method: m, segments: pattern.split('/'), handler });
    }
    return this;
  }

  /** Returns the handler and decoded params, `undefined` when nothing matches, or `'method'` when only the method differs. */
  match(method: string, rawPath: string): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    const s = this.#static.get(`${method} ${rawPath}`);
    if (s) return { handler: s, params: {} };
    const parts = rawPath.split('/');
    let methodMismatch = false;
    for (const route of this.#dynamic) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { handler: route.handler, params };
    }
    if (!methodMismatch) {
      for (const key of this.#static.keys()) {
        if (key.slice(key.indexOf(' ') + 1) === rawPath) return 'method';
      }
    }
    return methodMismatch ? 'method' : undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith('*')) {
      params[p.slice(1) || 'rest'] = parts.slice(i).map(safeDecode).join('/');
      return params;
    }
    const v = parts[i];
    if (v === undefined) return undefined;
    if (p.startsWith(':')) {
      if (v === '') return undefined;
      const d = safeDecode(v);
      if (d === undefined) return undefined;
      params[p.slice(1)] = d;
    } else if (p !== v) {
      return undefined;
    }
  }
  return parts.length === pattern.length ? params : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
