// A live Mandate server for the runtime tests: the real identity service (envelope SecretBox, SigV4
// authenticator, access keys) and the runtime on one Router and one port, plus the unmodified AWS clients.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { memoryLogger, type Clock } from '@mandate/core';
import { listen, serve, type Listening } from '@mandate/http';
import { MemoryStore } from '@mandate/storage';
import { createAccessKey, type AccessKeyCredentials } from '@mandate/edge';
import { createIdentityService, type IdentityService } from '@mandate/identity';
import { LocalKeyProvider } from '@mandate/identity';
import { createRuntimeRouter, type RuntimeHandle, type RuntimeOptions } from '../src/index.ts';
import { freePort } from '../src/sessions/free-port.ts';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';

export const agentDir = (name: string) => fileURLToPath(new URL(`./agents/${name}`, import.meta.url));

export interface Mandate {
  url: string;
  identity: IdentityService;
  runtime: RuntimeHandle;
  admin: AccessKeyCredentials;
  control: BedrockAgentCoreControlClient;
  data: BedrockAgentCoreClient;
  logLines: string[];
  close(): Promise<void>;
}

export async function startMandate(runtimeOptions: RuntimeOptions = {}, options: { fetch?: typeof fetch; clock?: Clock; entraAuthorityBase?: string } = {}): Promise<Mandate> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logger = memoryLogger('info');
  const identity = await createIdentityService({
    config: { publicUrl: url, region: REGION, accountId: ACCOUNT, devMode: true, ...(options.entraAuthorityBase ? { entraAuthorityBase: options.entraAuthorityBase } : {}) },
    store: new MemoryStore(),
    keyProvider: LocalKeyProvider.fromEnv({ MANDATE_MASTER_KEY: randomBytes(32).toString('base64') }),
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const runtime = createRuntimeRouter(identity.services, identity.port, runtimeOptions, identity.router);
  const listening: Listening = await listen(serve(identity.router, { logger }), port);
  const admin = await createAccessKey(identity.services, { role: 'admin' });
  const control = new BedrockAgentCoreControlClient({ endpoint: url, region: REGION, credentials: admin, maxAttempts: 1 });
  const data = new BedrockAgentCoreClient({ endpoint: url, region: REGION, credentials: admin, maxAttempts: 1 });
  return {
    url, identity, runtime, admin, control, data, logLines: logger.lines,
    close: async () => {
      control.destroy();
      data.destroy();
      await runtime.close();
      await listening.close();
      await identity.close();
    },
  };
}

/** The artifact of a test agent directory. */
export const codeArtifact = (dir: string, entry = 'main.ts') => ({
  codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: dir } }, runtime: 'NODE_22' as const, entryPoint: [entry] },
});

export const baseRuntime = { roleArn: 'arn:aws:iam::123456789012:role/agent', networkConfiguration: { networkMode: 'PUBLIC' as const } };

/** Parses an SSE body into the JSON of its `data:` lines. */
export function sseEvents(text: string): unknown[] {
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
}

/** A plain bearer invocation, as the AgentCore CLI sends it (reference §1.3). */
export async function bearerInvoke(m: Mandate, arn: string, token: string | undefined, body: unknown, opts: { sessionId?: string | undefined; headers?: Record<string, string>; qualifier?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...opts.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (opts.sessionId) headers['x-amzn-bedrock-agentcore-runtime-session-id'] = opts.sessionId;
  return fetch(`${m.url}/runtimes/${encodeURIComponent(arn)}/invocations?qualifier=${opts.qualifier ?? 'DEFAULT'}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

export const sessionId = (tag: string) => `${tag}-${randomBytes(16).toString('hex')}`.padEnd(40, 'x');
