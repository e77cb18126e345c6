// The trivial agent of the runtime-overhead benchmark: the official `bedrock-agentcore/runtime` app,
// answering every invocation with one SSE event at once, and every WebSocket frame with the same frame,
// so what is measured is the path around it.
import { BedrockAgentCoreApp } from 'bedrock-agentcore/runtime';

async function* answer(): AsyncGenerator<unknown> {
  yield { text: 'ok' };
}

const app = new BedrockAgentCoreApp({
  invocationHandler: { process: async () => answer() },
  websocketHandler: (socket) => {
    socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
  },
});

app.run({ port: Number(process.env.PORT), host: '127.0.0.1' });
