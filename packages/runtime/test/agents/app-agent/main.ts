// Test agent on the official `bedrock-agentcore/runtime` app. Operations (JSON body `op`):
//   whoami   - streams the context Mandate injected (session, request id, WAT via withWAT, callback URL)
//   remember - keeps the FIRST caller's Authorization header in a global, like the seed notebook's
//              `entra_access_token`, and returns it: safe only if every user gets their own process
//   apikey   - withApiKey(providerName): Mandate's WAT + the process's workload credentials reach the identity data plane
//   m2m      - withAccessToken(M2M): the same, for an OAuth2 client-credentials token from the vault
//   callAgent - invokes another runtime (`arn`, `sessionId`) with `whoami`, its workload key and withWatPropagation,
//              and returns that agent's SSE answer as text
//   fail     - throws before streaming; crash - the process dies mid-request; busy - an async task (HealthyBusy)
// WebSocket (/ws): text frames are JSON ops — whoami (session, WAT, header names), echo, close (with the
// given code), lastClose (how the previous connection of this process ended), burst (n numbered frames),
// crash (the process dies mid-stream);
// binary frames are echoed back reversed, so a relay that mixes up direction or type is caught.
import { BedrockAgentCoreApp } from 'bedrock-agentcore/runtime';
import { withAccessToken, withApiKey, withWAT, withWatPropagation } from 'bedrock-agentcore/identity';
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import type { RequestContext } from 'bedrock-agentcore/runtime';

let rememberedToken: string | undefined;

const readWat = withWAT(async (wat: string) => wat);

type Body = { op?: string; providerName?: string; scopes?: string[]; ms?: number; arn?: string; sessionId?: string };

async function* stream(context: RequestContext): AsyncGenerator<unknown> {
  const wat = await readWat();
  yield { step: 1, sessionId: context.sessionId, requestId: context.requestId ?? null };
  await new Promise((r) => setTimeout(r, 150));
  yield {
    step: 2,
    wat,
    workloadAccessToken: context.workloadAccessToken ?? null,
    oauth2CallbackUrl: context.oauth2CallbackUrl ?? null,
    headerNames: Object.keys(context.headers).sort(),
    env: { region: process.env.AWS_REGION, endpoint: process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, custom: process.env.AGENT_GREETING ?? null, leaked: process.env.MANDATE_TEST_SECRET ?? null },
    pid: process.pid,
  };
  await new Promise((r) => setTimeout(r, 150));
  yield { step: 3, done: true };
}

let lastClose: { code: number; reason: string } | null = null;

const app = new BedrockAgentCoreApp({
  websocketHandler: async (socket, context) => {
    socket.on('close', (code: number, reason: Buffer) => {
      lastClose = { code, reason: reason.toString() };
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        socket.send(Buffer.from(data).reverse(), { binary: true });
        return;
      }
      const msg = JSON.parse(data.toString()) as { op: string; code?: number; n?: number; text?: string };
      switch (msg.op) {
        case 'whoami':
          socket.send(JSON.stringify({ sessionId: context.sessionId, wat: context.workloadAccessToken ?? null, headerNames: Object.keys(context.headers).sort(), pid: process.pid, protocol: socket.protocol }));
          break;
        case 'echo':
          socket.send(JSON.stringify({ echo: msg.text }));
          break;
        case 'close':
          socket.close(msg.code ?? 1000, 'agent closed it');
          break;
        case 'lastClose':
          socket.send(JSON.stringify({ lastClose }));
          break;
        case 'burst':
          for (let i = 0; i < (msg.n ?? 10); i++) socket.send(JSON.stringify({ i }));
          break;
        case 'crash':
          socket.send(JSON.stringify({ crashing: process.pid }));
          setTimeout(() => process.exit(3), 20);
          break;
      }
    });
  },
  invocationHandler: {
    process: async (request: unknown, context: RequestContext) => {
      const body = (request ?? {}) as Body;
      switch (body.op) {
        case 'remember':
          rememberedToken ??= context.headers['authorization'];
          return { token: rememberedToken ?? null, pid: process.pid };
        case 'apikey': {
          const get = withApiKey({ providerName: body.providerName! })(async (apiKey: string) => apiKey);
          return { apiKey: await get() };
        }
        case 'm2m': {
          const get = withAccessToken({ providerName: body.providerName!, scopes: body.scopes ?? [], authFlow: 'M2M' })(async (token: string) => token);
          return { accessToken: await get() };
        }
        case 'callAgent': {
          // Endpoint, region and the workload key come from the environment Mandate gives every agent.
          const c = new BedrockAgentCoreClient({ maxAttempts: 1 });
          withWatPropagation(c);
          try {
            const out = await c.send(new InvokeAgentRuntimeCommand({
              agentRuntimeArn: body.arn!, runtimeSessionId: body.sessionId!, payload: new TextEncoder().encode(JSON.stringify({ op: 'whoami' })),
              contentType: 'application/json', accept: 'text/event-stream',
            }));
            return { status: out.statusCode, downstream: await out.response!.transformToString() };
          } catch (err) {
            const e = err as { name: string; message: string };
            return { error: e.name, message: e.message };
          } finally {
            c.destroy();
          }
        }
        case 'fail':
          throw new Error('agent failure with {"code":"SECRET_INTERNAL"} detail');
        case 'crash':
          setTimeout(() => process.exit(3), 10);
          return new Promise(() => {});
        case 'busy': {
          const id = app.addAsyncTask('background');
          setTimeout(() => app.completeAsyncTask(id), body.ms ?? 1000);
          return { started: true };
        }
        default:
          return stream(context);
      }
    },
  },
});

app.run({ port: Number(process.env.PORT), host: '127.0.0.1' });
