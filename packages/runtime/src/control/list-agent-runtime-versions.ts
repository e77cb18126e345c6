import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { runtimeCollections as C, type RuntimeVersionDoc } from '../model.ts';
import { pageByPrefix } from '@mandate/edge';
import { loadRuntime } from '../records.ts';
import { runtimeIdSchema } from '../schemas.ts';
import { runtimeSummary } from '../views.ts';
import { pagingFrom, pagingInput } from './list-agent-runtimes.ts';

/** POST /runtimes/{agentRuntimeId}/versions/ */
export const listAgentRuntimeVersions = () => defineOperation({
  name: 'ListAgentRuntimeVersions',
  method: 'POST',
  path: '/runtimes/:agentRuntimeId/versions/',
  plane: 'control',
  successStatus: 200,
  input: z.object({ agentRuntimeId: runtimeIdSchema, ...pagingInput }),
  inputFrom: (_b, p, q) => ({ agentRuntimeId: p.agentRuntimeId, ...pagingFrom(q) }),
  async handler(input, { services }) {
    const rt = await loadRuntime(services.store, input.agentRuntimeId);
    const page = await pageByPrefix<RuntimeVersionDoc>(services.store, C.runtimeVersions, `${rt.doc.agentRuntimeId}/`, input);
    const agentRuntimes = page.items.map((v) => runtimeSummary(rt.doc, v));
    return page.nextToken ? { agentRuntimes, nextToken: page.nextToken } : { agentRuntimes };
  },
});
