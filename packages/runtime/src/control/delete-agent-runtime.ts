import { docChanged } from '@mandate/edge';
import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import type { RuntimeEnv } from '../env.ts';
import { runtimeCollections as C } from '../model.ts';
import { loadRuntime } from '../records.ts';
import { runtimeIdSchema } from '../schemas.ts';

/** DELETE /runtimes/{agentRuntimeId}/ → 202. Stops its sessions, removes versions, endpoints, session owners, and its workload identity. */
export const deleteAgentRuntime = (env: RuntimeEnv) => defineOperation({
  name: 'DeleteAgentRuntime',
  method: 'DELETE',
  path: '/runtimes/:agentRuntimeId/',
  plane: 'control',
  successStatus: 202,
  input: z.object({ agentRuntimeId: runtimeIdSchema }),
  inputFrom: (_b, p) => ({ agentRuntimeId: p.agentRuntimeId }),
  async handler(input, { services }) {
    const rt = await loadRuntime(services.store, input.agentRuntimeId);
    const id = rt.doc.agentRuntimeId;
    const endpoints: string[] = [];
    await services.store.transaction(async (tx) => {
      await tx.delete(C.runtimes, id);
      await tx.delete(C.runtimeNames, rt.doc.agentRuntimeName);
      for (const col of [C.runtimeVersions, C.runtimeEndpoints, C.runtimeSessions]) {
        for (;;) {
          const page = await tx.list(col, { prefix: `${id}/`, limit: 100 });
          for (const r of page.items) {
            await tx.delete(col, r.id);
            if (col === C.runtimeEndpoints) endpoints.push(r.id);
          }
          if (page.next === undefined) break;
        }
      }
      await env.identity.workloads.delete(tx, id, id);
      await env.identity.tags.delete(tx, rt.doc.agentRuntimeArn);
    });
    // The data planes cache these documents per process (doc-cache.ts): tell every instance.
    await env.identity.workloads.changed(id);
    await docChanged(services, C.runtimes, id);
    for (const e of endpoints) await docChanged(services, C.runtimeEndpoints, e);
    await env.sessions.stopRuntime(id);
    return { status: 'DELETING', agentRuntimeId: id, agentRuntimeVersion: rt.doc.latestVersion };
  },
});
