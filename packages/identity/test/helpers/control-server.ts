import { randomBytes } from 'node:crypto';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { memoryLogger } from '@mandate/core';
import { listen, serve, type Listening } from '@mandate/http';
import { MemoryStore, type Store } from '@mandate/storage';
import { createAccessKey, type AccessKeyCredentials } from '@mandate/edge';
import { createIdentityService, type IdentityService } from '../../src/server.ts';
import { LocalKeyProvider } from '../../src/vault/index.ts';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';

export interface ControlHarness {
  url: string;
  identity: IdentityService;
  store: Store;
  admin: AccessKeyCredentials;
  workload: AccessKeyCredentials;
  client: BedrockAgentCoreControlClient;
  /** Every log line written by the server (to check that no secret reaches the log). */
  logLines: string[];
  /** Every response body the server sent, raw (the SDK drops unmodelled fields, so leaks are checked here). */
  responseBodies: string[];
  /** A signed raw request, for bodies the SDK would never send. */
  raw(method: string, path: string, body: string | Buffer, options?: { credentials?: AccessKeyCredentials; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; text: string }>;
  close(): Promise<void>;
}

/**
 * A live identity server assembled by createIdentityService (real EnvelopeSecretBox over a local
 * master key, real SigV4Authenticator, real access keys), listening on loopback, plus the
 * unmodified AWS control-plane client pointed at it.
 */
export async function startControlServer(options: { devMode?: boolean; entraAuthorityBase?: string; fetch?: typeof fetch; store?: Store } = {}): Promise<ControlHarness> {
  const store = options.store ?? new MemoryStore();
  const logger = memoryLogger();
  const identity = await createIdentityService({
    config: {
      publicUrl: 'https://mandate.example.test',
      region: REGION,
      accountId: ACCOUNT,
      devMode: options.devMode ?? true,
      ...(options.entraAuthorityBase ? { entraAuthorityBase: options.entraAuthorityBase } : {}),
    },
    store,
    keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: randomBytes(32).toString('base64') }),
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const svc = identity.services;
  const admin = await createAccessKey(svc, { role: 'admin' });
  const workload = await createAccessKey(svc, { role: 'workload', workloadName: 'some-agent' });
  const responseBodies: string[] = [];
  const server = serve(identity.router, { logger });
  server.prependListener('request', (_req, res) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => typeof res;
    const keep = (c: unknown) => { if (typeof c === 'string' || c instanceof Uint8Array) chunks.push(Buffer.from(c as never)); };
    res.write = ((c: unknown, ...rest: unknown[]) => { keep(c); return write(c, ...rest); }) as typeof res.write;
    res.end = ((c?: unknown, ...rest: unknown[]) => { if (typeof c !== 'function') keep(c); responseBodies.push(Buffer.concat(chunks).toString('utf8')); return end(c, ...rest); }) as typeof res.end;
  });
  const listening: Listening = await listen(server);
  const client = new BedrockAgentCoreControlClient({ endpoint: listening.url, region: REGION, credentials: admin, maxAttempts: 1 });
  const signerFor = (c: AccessKeyCredentials) => new SignatureV4({ credentials: c, region: REGION, service: 'bedrock-agentcore', sha256: Hash.bind(null, 'sha256') });
  return {
    url: listening.url,
    identity,
    store,
    admin,
    workload,
    client,
    logLines: logger.lines,
    responseBodies,
    async raw(method, path, body, opts = {}) {
      const u = new URL(path, listening.url);
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      const query: Record<string, string | string[]> = {};
      for (const k of new Set(u.searchParams.keys())) {
        const all = u.searchParams.getAll(k);
        query[k] = all.length === 1 ? all[0]! : all;
      }
      const signed = await signerFor(opts.credentials ?? admin).sign({
        method,
        protocol: 'http:',
        hostname: u.hostname,
        port: Number(u.port),
        path: u.pathname,
        query,
        headers: { host: u.host, 'content-type': 'application/json', ...(opts.headers ?? {}) },
        body: buf,
      });
      const res = await fetch(u, { method, headers: signed.headers as Record<string, string>, ...(buf.length > 0 || method === 'POST' ? { body: buf } : {}) });
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
    async close() {
      client.destroy();
      await listening.close();
      await identity.close();
      await store.close();
    },
  };
}

/** The store's full contents, to prove a failed call changed nothing. */
export async function snapshot(store: Store, collectionNames: readonly string[]): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const c of collectionNames) out[c] = (await store.list(c, { limit: 10_000 })).items;
  return JSON.stringify(out);
}
