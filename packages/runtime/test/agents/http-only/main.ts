// An agent on the official app with no websocketHandler: it serves /invocations and /ping, not /ws.
import { BedrockAgentCoreApp } from 'bedrock-agentcore/runtime';

const app = new BedrockAgentCoreApp({ invocationHandler: { process: async () => ({ ok: true }) } });
app.run({ port: Number(process.env.PORT), host: '127.0.0.1' });
