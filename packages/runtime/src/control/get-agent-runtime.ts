import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { loadRuntime, loadVersion } from '../records.ts';
import { runtimeIdSchema, versionSchema } from '../schemas.ts';
import { runtimeView } from '../views.ts';

/** GET /runtimes/{agentRuntimeId}/?version= */
export const getAgentRuntime = () => defineOperation({
  name: 'GetAgentRuntime',
  method: 'GET',
  path: '/runtimes/:agentRuntimeId/',
  plane: 'control',
  successStatus: 200,
  input: z.object({ agentRuntimeId: runtimeIdSchema, agentRuntimeVersion: versionSchema.optional() }),
  inputFrom: (_b, p, q) => ({ agentRuntimeId: p.agentRuntimeId, agentRuntimeVersion: q.get('version') ?? undefined }),
  async handler(input, { services }) {
    const rt = await loadRuntime(services.store, input.agentRuntimeId);
    const v = await loadVersion(services.store, rt.doc.agentRuntimeId, input.agentRuntimeVersion ?? rt.doc.latestVersion);
    return runtimeView(rt.doc, v);
  },
});
