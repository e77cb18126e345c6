/**
 * Shared pieces of the token hot path (scenarios token-hot-path, vault-scale, refresh-storm): request
 * bodies for GetResourceOauth2Token, and the load run that sends them SigV4-signed, each with a fresh
 * signature, against Mandate or the reference server.
 */
import type { AccessKeyCredentials } from '@mandate/edge';
import { runLoad, type LoadResult } from './load-client.ts';
import { RETURN_URL, type MandateProcess } from './identity-stack.ts';
import { PROVIDER, REGION } from '../servers/mandate-server.ts';

export const TOKEN_PATH = '/identities/oauth2/token';
/** Sizes of a typical Entra access token (a JWT) and refresh token (opaque), in characters. */
export const ACCESS_TOKEN_BYTES = 1400;
export const REFRESH_TOKEN_BYTES = 1000;
/** Mandate's answer: {"accessToken":"..."}. */
export const RESPONSE_BYTES = ACCESS_TOKEN_BYTES + '{"accessToken":""}'.length;

export function tokenBody(wat: string, scopes: string[]): string {
  return JSON.stringify({
    workloadIdentityToken: wat,
    resourceCredentialProviderName: PROVIDER,
    scopes,
    oauth2Flow: 'USER_FEDERATION',
    resourceOauth2ReturnUrl: RETURN_URL,
  });
}

export interface HotPathLoad {
  url: string;
  credentials: AccessKeyCredentials;
  bodies: string[];
  connections: number;
  durationS?: number;
  amount?: number;
  warmupS?: number;
  group?: number;
  /** Open-loop requests per second (latency at a given load) instead of as fast as the server answers. */
  ratePerS?: number;
}

export async function hotPathLoad(o: HotPathLoad): Promise<LoadResult> {
  return runLoad({
    url: o.url,
    path: TOKEN_PATH,
    connections: o.connections,
    ...(o.durationS !== undefined ? { durationS: o.durationS } : {}),
    ...(o.amount !== undefined ? { amount: o.amount } : {}),
    ...(o.warmupS !== undefined ? { warmupS: o.warmupS } : {}),
    ...(o.group !== undefined ? { group: o.group } : {}),
    ...(o.ratePerS !== undefined ? { ratePerS: o.ratePerS } : {}),
    auth: { kind: 'sigv4', credentials: o.credentials, region: REGION },
    bodies: o.bodies,
  });
}

/** Throws when a run had failures: a benchmark of errors is not a benchmark. */
export function assertClean(what: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts (status codes ${JSON.stringify(r.statusCodes)})`);
  }
}

/** WATs for `count` users named `${prefix}${i}`, minted by the server in chunks. */
export async function watsFor(m: MandateProcess, prefix: string, count: number, from = 0): Promise<string[]> {
  const out: string[] = [];
  for (let i = from; i < from + count; i += 5000) {
    const ids = Array.from({ length: Math.min(5000, from + count - i) }, (_, k) => `${prefix}${i + k}`);
    out.push(...(await m.handle.call<string[]>('mintWats', { userIds: ids })));
  }
  return out;
}
