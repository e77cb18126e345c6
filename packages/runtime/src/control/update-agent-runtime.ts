import { docChanged } from '@mandate/edge';
import type { RuntimeEnv } from '../env.ts';
import { MandateError } from '@mandate/core';
import { defineOperation } from '../operation.ts';
import { DEFAULT_ENDPOINT, runtimeCollections as C, versionKey, type RuntimeDoc, type RuntimeEndpointDoc } from '../model.ts';
import { buildVersion, loadRuntime } from '../records.ts';
import { updateRuntimeSchema } from '../schemas.ts';
import { inboundJwtOf } from '../workload.ts';
import { rfc3339 } from '../views.ts';

/**
 * PUT /runtimes/{agentRuntimeId}/ → 202. Every update is a new immutable version; DEFAULT moves to
 * it, pinned endpoints stay. Live sessions keep the version they started with until they end.
 */
export const updateAgentRuntime = (env: RuntimeEnv) => defineOperation({
  name: 'UpdateAgentRuntime',
  method: 'PUT',
  path: '/runtimes/:agentRuntimeId/',
  plane: 'control',
  successStatus: 202,
  input: updateRuntimeSchema,
  inputFrom: (b, p) => ({ ...b, agentRuntimeId: p.agentRuntimeId }),
  async handler(input, { services }) {
    const now = services.clock.now();
    const { agentRuntimeId: id, ...config } = input;
    const current = await loadRuntime(services.store, id);
    const next = String(Number(current.doc.latestVersion) + 1);
    const version = buildVersion(id, next, config, now);
    const rt: RuntimeDoc = { ...current.doc, latestVersion: next, lastUpdatedTime: now, status: 'READY' };
    await services.store.transaction(async (tx) => {
      if (!(await tx.update(C.runtimes, id, rt, current.version))) {
        throw new MandateError('conflict', `Agent runtime ${id} was changed by another request at the same time. Retry the call.`);
      }
      await tx.insert(C.runtimeVersions, versionKey(id, next), version);
      const def = await tx.get<RuntimeEndpointDoc>(C.runtimeEndpoints, `${id}/${DEFAULT_ENDPOINT}`);
      if (def) await tx.put(C.runtimeEndpoints, def.id, { ...def.doc, liveVersion: next, lastUpdatedTime: now });
      await env.identity.workloads.update(tx, id, id, inboundJwtOf(version.authorizer).inboundJwt);
    });
    // The data planes cache these documents per process (doc-cache.ts): tell every instance.
    await env.identity.workloads.changed(id);
    await docChanged(services, C.runtimes, id);
    await docChanged(services, C.runtimeEndpoints, `${id}/${DEFAULT_ENDPOINT}`);
    return {
      agentRuntimeArn: rt.agentRuntimeArn,
      agentRuntimeId: id,
      agentRuntimeVersion: next,
      createdAt: rfc3339(rt.createdTime),
      lastUpdatedAt: rfc3339(now),
      status: 'UPDATING',
      workloadIdentityDetails: { workloadIdentityArn: rt.workloadIdentityArn },
    };
  },
});
