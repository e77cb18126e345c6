import type { Operation } from '../operation.ts';
import type { RuntimeEnv } from '../env.ts';
import { createAgentRuntime } from './create-agent-runtime.ts';
import { getAgentRuntime } from './get-agent-runtime.ts';
import { listAgentRuntimes } from './list-agent-runtimes.ts';
import { listAgentRuntimeVersions } from './list-agent-runtime-versions.ts';
import { updateAgentRuntime } from './update-agent-runtime.ts';
import { deleteAgentRuntime } from './delete-agent-runtime.ts';
import { createAgentRuntimeEndpoint, deleteAgentRuntimeEndpoint, getAgentRuntimeEndpoint, listAgentRuntimeEndpoints, updateAgentRuntimeEndpoint } from './runtime-endpoints.ts';

/** The control-plane operations of AgentCore Runtime (one line per operation). */
export function controlOperations(env: RuntimeEnv): Operation[] {
  return [
    createAgentRuntime(env),
    getAgentRuntime(),
    listAgentRuntimes(),
    updateAgentRuntime(env),
    deleteAgentRuntime(env),
    listAgentRuntimeVersions(),
    createAgentRuntimeEndpoint(),
    getAgentRuntimeEndpoint(),
    updateAgentRuntimeEndpoint(),
    deleteAgentRuntimeEndpoint(),
    listAgentRuntimeEndpoints(),
  ] as Operation[];
}
