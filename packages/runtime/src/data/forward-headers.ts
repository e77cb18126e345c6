import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers the agent receives besides Mandate's own (session id, request id, WATs, OAuth2CallbackUrl):
 * Content-Type and Accept (content negotiation), tracing, MCP and A2A protocol headers, and whatever the runtime's
 * requestHeaderAllowlist names. Never the caller's Authorization unless allow-listed, never other
 * `x-amz-*`/`x-amzn-*` headers except `X-Amzn-Bedrock-AgentCore-Runtime-Custom-*` (reference §3.2).
 */
const PASS_THROUGH = ['traceparent', 'tracestate', 'baggage', 'x-amzn-trace-id', 'mcp-session-id', 'mcp-protocol-version', 'a2a-version', 'a2a-extensions'];
/** Hop-by-hop and framing headers that an allow-list must never copy (RFC 9110 §7.6.1). */
const NEVER = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'content-length', 'cookie', 'expect']);
const CUSTOM_PREFIX = 'x-amzn-bedrock-agentcore-runtime-custom-';

export function allowedHeaders(incoming: IncomingHttpHeaders, allowlist: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const copy = (name: string) => {
    const v = incoming[name];
    if (typeof v === 'string') out[name] = v;
    else if (Array.isArray(v)) out[name] = v.join(', ');
  };
  for (const n of PASS_THROUGH) copy(n);
  if (allowlist) {
    const allowed = new Set(allowlist.map((h) => h.toLowerCase()));
    for (const name of Object.keys(incoming)) {
      if (NEVER.has(name) || !allowed.has(name)) continue;
      if (name.startsWith('x-amz-') || (name.startsWith('x-amzn-') && !name.startsWith(CUSTOM_PREFIX))) continue;
      copy(name);
    }
  }
  return out;
}

/**
 * Content negotiation shims (docs/runtime.md): the AWS SDK sends `application/octet-stream` when the
 * caller set no contentType, and the official agent app answers that with 415; when such a body is
 * JSON it is labelled `application/json`. A missing Accept becomes `application/json, text/event-stream`
 * so streaming handlers do not answer 406.
 */
export function negotiatedHeaders(incoming: IncomingHttpHeaders, body: Buffer): { 'content-type': string; accept: string } {
  let contentType = incoming['content-type'] ?? 'application/json';
  if (/^application\/octet-stream\b/i.test(contentType) && looksLikeJson(body)) contentType = 'application/json';
  const accept = incoming.accept && incoming.accept.trim() !== '' ? incoming.accept : 'application/json, text/event-stream';
  return { 'content-type': contentType, accept };
}

function looksLikeJson(body: Buffer): boolean {
  if (body.length === 0) return false;
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
