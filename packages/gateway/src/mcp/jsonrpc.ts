import type { ServerResponse } from 'node:http';
import { isMandateError, type Logger } from '@mandate/core';
import { toMandateError } from '@mandate/edge';
import { JSONRPCNotificationSchema, JSONRPCRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC 2.0 §5.1 error codes, and MCP's (2025-11-25: -32042 URL elicitation required). */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  UrlElicitationRequired: -32042,
} as const;

/** An answer to a request that is a JSON-RPC error (HTTP 200: the request itself was delivered). */
export class RpcFailure extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

export type RpcId = string | number;
export type Incoming =
  | { kind: 'request'; id: RpcId; method: string; params: Record<string, unknown> | undefined }
  | { kind: 'notification'; method: string }
  | { kind: 'response' };

/** One JSON-RPC message of a POST body (MCP 2025-06-18 removed batches); undefined when it is none. */
export function parseMessage(value: unknown): Incoming | undefined {
  const req = JSONRPCRequestSchema.safeParse(value);
  if (req.success) return { kind: 'request', id: req.data.id, method: req.data.method, params: req.data.params as Record<string, unknown> | undefined };
  const note = JSONRPCNotificationSchema.safeParse(value);
  if (note.success) return { kind: 'notification', method: note.data.method };
  const v = value as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown } | null;
  if (v && typeof v === 'object' && v.jsonrpc === '2.0' && v.id !== undefined && (v.result !== undefined || v.error !== undefined)) return { kind: 'response' };
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendResult(res: ServerResponse, id: RpcId, result: unknown, headers: Record<string, string> = {}): void {
  send(res, 200, { jsonrpc: '2.0', id, result }, headers);
}

export function sendRpcError(res: ServerResponse, status: number, id: RpcId | null, code: number, message: string, data?: unknown, headers: Record<string, string> = {}): void {
  send(res, status, { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } }, headers);
}

/**
 * A failure before a request reached a method (no gateway, no valid token, no session, a bad body) in
 * the shape an MCP client reads: the HTTP status of the Mandate error (401 keeps its WWW-Authenticate,
 * RFC 9728 §5.1) and a JSON-RPC error body. Unknown errors go to the log only.
 */
export function renderMcpHttpError(res: ServerResponse, requestId: string, err: unknown, logger: Logger): void {
  const e = toMandateError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!isMandateError(e)) {
    logger.error('unhandled error', { requestId, error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e) });
    sendRpcError(res, 500, null, RpcCode.InternalError, `The gateway hit an internal error. Try again; if it persists, check the server log for request ${requestId}.`, undefined, { 'x-amzn-requestid': requestId });
    return;
  }
  const code = e.status >= 500 ? RpcCode.InternalError : RpcCode.InvalidRequest;
  sendRpcError(res, e.status, null, code, e.message, undefined, { 'x-amzn-requestid': requestId, ...(e.headers ?? {}) });
}
