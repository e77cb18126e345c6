import { MandateError, randomAlnum, validationError } from '@mandate/core';
import { idempotent, isResourceFor, RESOURCE_TAG } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import type { RuntimeEnv } from '../env.ts';
import { runtimeArn, runtimeEndpointArn } from '../arns.ts';
import { DEFAULT_ENDPOINT, runtimeCollections as C, versionKey, type RuntimeDoc, type RuntimeEndpointDoc } from '../model.ts';
import { buildVersion } from '../records.ts';
import { createRuntimeSchema } from '../schemas.ts';
import { inboundJwtOf } from '../workload.ts';
import { rfc3339 } from '../views.ts';

/** PUT /runtimes/ → 202. Version 1, the DEFAULT endpoint and the runtime's own workload identity are created together. */
export const createAgentRuntime = (env: RuntimeEnv) => defineOperation({
  name: 'CreateAgentRuntime',
  method: 'PUT',
  path: '/runtimes/',
  plane: 'control',
  successStatus: 202,
  input: createRuntimeSchema,
  handler: (input, { services }) => idempotent(services, 'CreateAgentRuntime', input.clientToken, input, async () => {
    const now = services.clock.now();
    const id = `${input.agentRuntimeName}-${randomAlnum(10)}`;
    const version = buildVersion(id, '1', input, now);
    const arn = runtimeArn(services.config, id);
    const resource = input.tags?.[RESOURCE_TAG];
    const mcpUrl = `${services.config.publicUrl}/runtimes/${encodeURIComponent(arn)}/invocations`;
    if (resource !== undefined && !isResourceFor(resource, mcpUrl)) {
      throw validationError(`The tag ${RESOURCE_TAG} must be the runtime's MCP URL or a same-origin path prefix of it (${services.config.publicUrl}/…), without query or fragment.`, [{ name: `tags.${RESOURCE_TAG}`, message: 'Member must be a prefix of the MCP URL' }]);
    }
    const rt: RuntimeDoc = {
      agentRuntimeId: id,
      agentRuntimeName: input.agentRuntimeName,
      agentRuntimeArn: arn,
      latestVersion: '1',
      // Validation and artifact resolution are synchronous, so the runtime is usable at once;
      // the response still says CREATING, as AWS does, and Get reports READY.
      status: 'READY',
      workloadName: id,
      workloadIdentityArn: '',
      createdTime: now,
      lastUpdatedTime: now,
    };
    const endpoint: RuntimeEndpointDoc = {
      agentRuntimeId: id,
      name: DEFAULT_ENDPOINT,
      id: `${DEFAULT_ENDPOINT}`,
      agentRuntimeEndpointArn: runtimeEndpointArn(services.config, id, DEFAULT_ENDPOINT),
      liveVersion: '1',
      status: 'READY',
      createdTime: now,
      lastUpdatedTime: now,
    };
    await services.store.transaction(async (tx) => {
      if (await tx.get(C.runtimeNames, input.agentRuntimeName)) {
        throw new MandateError('conflict', `An agent runtime named ${input.agentRuntimeName} already exists.`);
      }
      const workload = await env.identity.workloads.create(tx, { name: id, managedBy: id, ...inboundJwtOf(version.authorizer) });
      rt.workloadIdentityArn = workload.workloadIdentityArn;
      await tx.insert(C.runtimeNames, input.agentRuntimeName, { agentRuntimeId: id });
      await tx.insert(C.runtimes, id, rt);
      await tx.insert(C.runtimeVersions, versionKey(id, '1'), version);
      await tx.insert(C.runtimeEndpoints, `${id}/${DEFAULT_ENDPOINT}`, endpoint);
      await env.identity.tags.write(tx, arn, input.tags);
    });
    env.services.logger.info('agent runtime created', { agentRuntimeId: id });
    return {
      agentRuntimeArn: arn,
      agentRuntimeId: id,
      agentRuntimeVersion: '1',
      createdAt: rfc3339(now),
      status: 'CREATING',
      workloadIdentityDetails: { workloadIdentityArn: rt.workloadIdentityArn },
    };
  }),
});
