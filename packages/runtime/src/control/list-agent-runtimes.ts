import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { runtimeCollections as C, type RuntimeDoc } from '../model.ts';
import { pageByPrefix } from '@mandate/edge';
import { loadVersion } from '../records.ts';
import { runtimeSummary } from '../views.ts';

export const pagingInput = {
  maxResults: z.coerce.number().int().min(1).max(100).optional(),
  nextToken: z.string().min(1).max(2048).optional(),
};
export const pagingFrom = (q: URLSearchParams) => ({ maxResults: q.get('maxResults') ?? undefined, nextToken: q.get('nextToken') ?? undefined });

/** POST /runtimes/?maxResults=&nextToken= (an empty body; paging in the query). */
export const listAgentRuntimes = () => defineOperation({
  name: 'ListAgentRuntimes',
  method: 'POST',
  path: '/runtimes/',
  plane: 'control',
  successStatus: 200,
  input: z.object(pagingInput),
  inputFrom: (_b, _p, q) => pagingFrom(q),
  async handler(input, { services }) {
    const page = await pageByPrefix<RuntimeDoc>(services.store, C.runtimes, '', input);
    const agentRuntimes = await Promise.all(page.items.map(async (rt) => runtimeSummary(rt, await loadVersion(services.store, rt.agentRuntimeId, rt.latestVersion))));
    return page.nextToken ? { agentRuntimes, nextToken: page.nextToken } : { agentRuntimes };
  },
});
