// An A2A agent built with the maintained A2A SDK (@a2a-js/sdk, protocol v1.0) on its Express adapter, as
// AgentCore's A2A contract asks (v1.0, and v0.3 for callers that send no A2A-Version): JSON-RPC at `/`, the agent card at `/.well-known/agent-card.json`. It
// answers every message with one agent message naming the session Mandate passed in.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { Role, type AgentCard, type Message } from '@a2a-js/sdk';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';

const port = Number(process.env.PORT);
const card: AgentCard = {
  name: 'Echo A2A Agent',
  description: 'Says back what it was told.',
  supportedInterfaces: [
    { url: `http://127.0.0.1:${port}/`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
    { url: `http://127.0.0.1:${port}/`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '0.3' },
  ],
  provider: undefined,
  version: '1.0.0',
  capabilities: { streaming: true, pushNotifications: false, extensions: [] },
  securitySchemes: {},
  securityRequirements: [],
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [{ id: 'echo', name: 'Echo', description: 'Echoes text.', tags: ['test'], examples: ['hello'], inputModes: ['text/plain'], outputModes: ['text/plain'], securityRequirements: [] }],
  signatures: [],
};

let sessionId = '';

class EchoExecutor implements AgentExecutor {
  cancelTask = async (): Promise<void> => {};

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const part = ctx.userMessage.parts.find((p) => p.content?.$case === 'text');
    const text = part?.content?.$case === 'text' ? part.content.value : '';
    const reply: Message = {
      role: Role.ROLE_AGENT,
      messageId: randomUUID(),
      parts: [{ content: { $case: 'text', value: `echo: ${text} (session ${sessionId})` }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
      taskId: '',
      contextId: ctx.contextId,
      extensions: [],
      metadata: {},
      referenceTaskIds: [],
    };
    bus.publish(AgentEvent.message(reply));
    bus.finished();
  }
}

const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new EchoExecutor());
const app = express();
app.use((req, _res, next) => {
  sessionId = String(req.headers['x-amzn-bedrock-agentcore-runtime-session-id'] ?? '');
  next();
});
// legacyCompat: callers without an A2A-Version header speak v0.3 (message/send), as AgentCore's examples do.
app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler, legacyCompat: { enabled: true } }));
app.use('/', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));
app.listen(port, '127.0.0.1');
