const LOOPBACK = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '[::1]', '[::]']);

/** True for a URL that points at the agent process itself (loopback, its port): only Mandate can reach it. */
function isAgentLocal(url: unknown, port: number): url is string {
  if (typeof url !== 'string' || !URL.canParse(url)) return false;
  const u = new URL(url);
  return LOOPBACK.has(u.hostname) && Number(u.port || (u.protocol === 'https:' ? 443 : 80)) === port;
}

/**
 * The card as callers must see it: every interface URL that points at the agent's own loopback port
 * becomes Mandate's invocation URL for the runtime (A2A clients then call through Mandate, with its
 * authentication). Covers A2A v1.0 (`supportedInterfaces[].url`) and v0.3 (`url`, `additionalInterfaces[].url`);
 * URLs the agent publishes elsewhere are left as they are.
 */
export function rewriteAgentCard(card: Record<string, unknown>, agentPort: number, invocationUrl: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...card };
  if (isAgentLocal(out.url, agentPort)) out.url = invocationUrl;
  for (const key of ['supportedInterfaces', 'additionalInterfaces']) {
    const list = out[key];
    if (!Array.isArray(list)) continue;
    out[key] = list.map((i: unknown) => {
      if (typeof i !== 'object' || i === null) return i;
      const entry = i as Record<string, unknown>;
      return isAgentLocal(entry.url, agentPort) ? { ...entry, url: invocationUrl } : entry;
    });
  }
  return out;
}
