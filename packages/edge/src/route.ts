import { readBody, type RequestContext, type Router, type UpgradeContext } from '@mandate/http';
import { z } from 'zod';
import { validateInput, validateParts } from './validate.ts';

/**
 * What a route's handler receives: its query string and headers as its schemas parsed them (validated
 * once, here), and the raw request context for what a protocol library must read itself (oauth4webapi
 * validates an authorization response from the URLSearchParams, SigV4 needs the raw path).
 */
export interface RouteInput<Q, H, F = Record<string, string>> {
  query: Q;
  headers: H;
  /** The urlencoded form body, when the route declares one. */
  form: F;
  rc: RequestContext;
}

/**
 * An HTTP route that is not an AWS Operation: a browser page, a streaming relay, a callback. Same rules
 * as an Operation: the schemas are the whole contract of what the handler reads from the query and the
 * headers, and every failure goes through the one renderer its part chose.
 */
export interface Route<Q = Record<string, string>, H = Record<string, string>, F = Record<string, string>> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The query string, first value per name (RFC 6749 §3.1 forbids repeating OAuth parameters anyway). */
  query?: z.ZodType<Q>;
  /**
   * The request headers the route reads, bound to member names as restJson1's `@httpHeader` binds them
   * (`runtimeSessionId` ← `x-amzn-bedrock-agentcore-runtime-session-id`), so a validation error names the
   * member the SDK user set. An empty header counts as absent.
   */
  headers?: { bind: Record<string, string>; schema: z.ZodType<H> };
  /** An `application/x-www-form-urlencoded` body (HTML forms), read up to `limit` bytes, first value per name. */
  form?: { limit: number; schema: z.ZodType<F> };
  /** The handler reads the body itself (with its own limit); otherwise the body is drained unread. */
  readsBody?: boolean;
  handle(input: RouteInput<Q, H, F>): Promise<void>;
}

/**
 * An HTTP Upgrade route (a WebSocket): the same query and header validation, failures rendered as an
 * ordinary HTTP response before the handshake completes (RFC 6455 §4.2.2: a server may refuse with any
 * status). The handler completes the handshake itself (after `rc.res.detachSocket(rc.socket)`).
 */
export interface UpgradeRoute<Q = Record<string, string>, H = Record<string, string>> {
  upgrade: true;
  path: string;
  query?: z.ZodType<Q>;
  headers?: { bind: Record<string, string>; schema: z.ZodType<H> };
  handle(input: { query: Q; headers: H; rc: UpgradeContext }): Promise<void>;
}

export function defineUpgradeRoute<Q, H = Record<string, string>>(route: UpgradeRoute<Q, H>): UpgradeRoute<Q, H> {
  return route;
}

/** How a part shows failures: AWS JSON for API planes, an HTML page for browsers. */
export type ErrorRenderer = (rc: RequestContext, err: unknown) => void;

/** Identity for typing: lets TypeScript infer Q and H from the schemas. */
export function defineRoute<Q, H = Record<string, string>, F = Record<string, string>>(route: Route<Q, H, F>): Route<Q, H, F> {
  return route;
}

const ANY = z.record(z.string(), z.string());

function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

function boundHeaders(headers: RequestContext['req']['headers'], bind: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [member, name] of Object.entries(bind)) {
    const v = headers[name];
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined && first !== '') out[member] = first;
  }
  return out;
}

/** A route's query and bound headers, validated together (one ValidationException lists every bad member). */
function queryAndHeaders(route: { query?: z.ZodType; headers?: { bind: Record<string, string>; schema: z.ZodType } }, rc: RequestContext): readonly [unknown, unknown] {
  return validateParts([
    [route.query ?? ANY, firstValues(rc.query)],
    [route.headers?.schema ?? ANY, route.headers ? boundHeaders(rc.req.headers, route.headers.bind) : {}],
  ] as const);
}

/** Registers routes on the router; each validates its input at the edge and renders failures with `render`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of routes of different input types
export function registerRoutes(router: Router, routes: readonly (Route<any, any, any> | UpgradeRoute<any, any>)[], render: ErrorRenderer): Router {
  for (const route of routes) {
    if ('upgrade' in route) {
      router.upgrade(route.path, async (rc) => {
        try {
          const [query, headers] = queryAndHeaders(route, rc);
          await route.handle({ query, headers, rc });
        } catch (err) {
          if (rc.res.socket) render(rc, err);
          else rc.socket.destroy();
        }
      });
      continue;
    }
    router.add(route.method, route.path, async (rc) => {
      if (!route.readsBody && !route.form) rc.req.resume();
      try {
        const [query, headers] = queryAndHeaders(route, rc);
        const form = route.form
          ? validateInput(route.form.schema, firstValues(new URLSearchParams((await readBody(rc.req, route.form.limit)).toString('utf8'))))
          : {};
        await route.handle({ query, headers, form, rc });
      } catch (err) {
        // A body the handler never read (it failed first) is drained, so the connection stays usable.
        if (!rc.req.readableEnded) rc.req.resume();
        render(rc, err);
      }
    });
  }
  return router;
}
