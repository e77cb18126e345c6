/**
 * WebSocket round-trip overhead: one WebSocket to the trivial agent's echo (bench/agents/trivial, the
 * official BedrockAgentCoreApp with a websocketHandler) opened through Mandate's /runtimes/{arn}/ws with
 * the unmodified bedrock-agentcore RuntimeClient's SigV4 connection, against a WebSocket to the same
 * agent process type on its own port, in the same run. Sequential round trips of a small text frame,
 * rounds alternating between the two so drift on the machine hits both. The handshake (authentication,
 * session, WAT) happens once per connection and is not in the figure. Goal: added p50 <= 1 ms.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BedrockAgentCoreControlClient, CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { RuntimeClient } from 'bedrock-agentcore/runtime';
import { WebSocket } from 'ws';
import type { Scenario } from '../lib/context.ts';
import { startDirectAgent } from '../lib/direct-agent.ts';
import { acquireEntra, acquireSqliteMandate } from '../lib/identity-stack.ts';
import { addedLatency } from '../lib/alternating.ts';
import { REGION } from '../servers/mandate-server.ts';

const AGENT_DIR = fileURLToPath(new URL('../agents/trivial', import.meta.url));
const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
const FRAME = JSON.stringify({ prompt: 'hello' });

function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the WebSocket was refused with HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** `n` sequential echoes; returns each round trip in ms. */
async function roundTrips(ws: WebSocket, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      ws.once('message', (data) => (data.toString() === FRAME ? resolve() : reject(new Error('the echo differs from the frame sent'))));
      ws.send(FRAME);
    });
    out.push(performance.now() - t0);
  }
  return out;
}

export const websocketOverhead: Scenario = {
  name: 'websocket-overhead',
  sharesMandate: true,
  async run(env) {
    const t = env.quick ? { perRound: 1000, warmup: 200, rounds: 2 } : { perRound: 5000, warmup: 1000, rounds: 4 };
    const entra = await acquireEntra(env);
    const m = await acquireSqliteMandate(env, entra, 'websocket');
    const control = new BedrockAgentCoreControlClient({ endpoint: m.url, region: REGION, credentials: m.admin, maxAttempts: 1 });
    let direct: Awaited<ReturnType<typeof startDirectAgent>> | undefined;
    const sockets: WebSocket[] = [];
    const previous = process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT;
    try {
      direct = await startDirectAgent(AGENT_DIR);
      const rt = await control.send(new CreateAgentRuntimeCommand({
        agentRuntimeName: 'bench_ws',
        agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: AGENT_DIR } }, runtime: 'NODE_22', entryPoint: ['main.ts'] } },
        roleArn: 'arn:aws:iam::123456789012:role/agent',
        networkConfiguration: { networkMode: 'PUBLIC' },
      }));
      process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = m.url;
      const client = new RuntimeClient({ region: REGION, credentialsProvider: async () => m.admin });
      const sessionId = `bench-ws-${randomBytes(16).toString('hex')}`;
      const conn = await client.generateWsConnection({ runtimeArn: rt.agentRuntimeArn!, sessionId });
      const viaMandate = await open(conn.url, conn.headers);
      const viaDirect = await open(`ws://127.0.0.1:${direct.port}/ws`, { [SESSION_HEADER]: sessionId });
      sockets.push(viaMandate, viaDirect);

      env.log('websocket-overhead: sequential round trips, direct and through Mandate in alternating rounds');
      env.report(await addedLatency(t, (n) => roundTrips(viaDirect, n), (n) => roundTrips(viaMandate, n), { scenario: 'websocket-overhead', metric: 'added round-trip p50 (1 WebSocket)', goalMs: 1 }));
    } finally {
      if (previous === undefined) delete process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT;
      else process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = previous;
      for (const s of sockets) s.terminate();
      control.destroy();
      await direct?.stop();
      await m.close();
      await entra.close();
    }
  },
};
