import { idempotent } from '@mandate/edge';
import { docChanged } from '@mandate/edge';
import { z } from 'zod';
import { MandateError, validationError } from '@mandate/core';
import { defineOperation } from '../operation.ts';
import { runtimeEndpointArn } from '../arns.ts';
import { DEFAULT_ENDPOINT, runtimeCollections as C, type RuntimeEndpointDoc } from '../model.ts';
import { pageByPrefix } from '@mandate/edge';
import { loadEndpoint, loadRuntime, loadVersion } from '../records.ts';
import { endpointNameSchema, runtimeIdSchema, versionSchema } from '../schemas.ts';
import { endpointView, rfc3339 } from '../views.ts';
import { pagingFrom, pagingInput } from './list-agent-runtimes.ts';

/**
 * Runtime endpoints (qualifiers): a name pinned to a version. DEFAULT is created with the runtime,
 * always follows the latest version, and cannot be changed or deleted.
 */
const clientToken = z.string().min(33).max(256).optional();
const description = z.string().max(256).optional();

function refuseDefault(name: string, action: string): void {
  if (name === DEFAULT_ENDPOINT) throw validationError(`The DEFAULT endpoint cannot be ${action}; it always serves the latest version.`, [{ name: 'endpointName', message: `DEFAULT cannot be ${action}` }]);
}

export const createAgentRuntimeEndpoint = () => defineOperation({
  name: 'CreateAgentRuntimeEndpoint',
  method: 'PUT',
  path: '/runtimes/:agentRuntimeId/runtime-endpoints/',
  plane: 'control',
  successStatus: 202,
  input: z.object({ agentRuntimeId: runtimeIdSchema, name: endpointNameSchema, agentRuntimeVersion: versionSchema.optional(), description, clientToken, tags: z.record(z.string(), z.string()).optional() }),
  inputFrom: (b, p) => ({ ...b, agentRuntimeId: p.agentRuntimeId }),
  handler: (input, { services }) => idempotent(services, 'CreateAgentRuntimeEndpoint', input.clientToken, input, async () => {
    const rt = await loadRuntime(services.store, input.agentRuntimeId);
    const id = rt.doc.agentRuntimeId;
    const version = input.agentRuntimeVersion ?? rt.doc.latestVersion;
    await loadVersion(services.store, id, version);
    const now = services.clock.now();
    const doc: RuntimeEndpointDoc = {
      agentRuntimeId: id,
      name: input.name,
      id: input.name,
      agentRuntimeEndpointArn: runtimeEndpointArn(services.config, id, input.name),
      pinnedVersion: version,
      liveVersion: version,
      status: 'READY',
      createdTime: now,
      lastUpdatedTime: now,
    };
    if (input.description !== undefined) doc.description = input.description;
    if (await services.store.get(C.runtimeEndpoints, `${id}/${input.name}`)) {
      throw new MandateError('conflict', `An endpoint named ${input.name} already exists on agent runtime ${id}.`);
    }
    await services.store.insert(C.runtimeEndpoints, `${id}/${input.name}`, doc);
    return {
      targetVersion: version,
      agentRuntimeEndpointArn: doc.agentRuntimeEndpointArn,
      agentRuntimeArn: rt.doc.agentRuntimeArn,
      agentRuntimeId: id,
      endpointName: input.name,
      status: 'CREATING',
      createdAt: rfc3339(now),
    };
  }),
});

export const getAgentRuntimeEndpoint = () => defineOperation({
  name: 'GetAgentRuntimeEndpoint',
  method: 'GET',
  path: '/runtimes/:agentRuntimeId/runtime-endpoints/:endpointName/',
  plane: 'control',
  successStatus: 200,
  input: z.object({ agentRuntimeId: runtimeIdSchema, endpointName: endpointNameSchema }),
  inputFrom: (_b, p) => ({ agentRuntimeId: p.agentRuntimeId, endpointName: p.endpointName }),
  async handler(input, { services }) {
    const e = await loadEndpoint(services.store, input.agentRuntimeId, input.endpointName);
    return endpointView(e.doc, services.config);
  },
});

export const updateAgentRuntimeEndpoint = () => defineOperation({
  name: 'UpdateAgentRuntimeEndpoint',
  method: 'PUT',
  path: '/runtimes/:agentRuntimeId/runtime-endpoints/:endpointName/',
  plane: 'control',
  successStatus: 202,
  input: z.object({ agentRuntimeId: runtimeIdSchema, endpointName: endpointNameSchema, agentRuntimeVersion: versionSchema.optional(), description, clientToken }),
  inputFrom: (b, p) => ({ ...b, agentRuntimeId: p.agentRuntimeId, endpointName: p.endpointName }),
  async handler(input, { services }) {
    refuseDefault(input.endpointName, 'updated');
    const e = await loadEndpoint(services.store, input.agentRuntimeId, input.endpointName);
    const version = input.agentRuntimeVersion ?? e.doc.liveVersion;
    await loadVersion(services.store, input.agentRuntimeId, version);
    const doc: RuntimeEndpointDoc = { ...e.doc, pinnedVersion: version, liveVersion: version, lastUpdatedTime: services.clock.now() };
    if (input.description !== undefined) doc.description = input.description;
    if (!(await services.store.update(C.runtimeEndpoints, e.id, doc, e.version))) {
      throw new MandateError('conflict', 'The endpoint was changed by another request at the same time. Retry the call.');
    }
    await docChanged(services, C.runtimeEndpoints, e.id);
    const v = endpointView(doc, services.config);
    return { liveVersion: v.liveVersion, targetVersion: v.targetVersion, agentRuntimeEndpointArn: v.agentRuntimeEndpointArn, agentRuntimeArn: v.agentRuntimeArn, status: 'UPDATING', createdAt: v.createdAt, lastUpdatedAt: v.lastUpdatedAt };
  },
});

export const deleteAgentRuntimeEndpoint = () => defineOperation({
  name: 'DeleteAgentRuntimeEndpoint',
  method: 'DELETE',
  path: '/runtimes/:agentRuntimeId/runtime-endpoints/:endpointName/',
  plane: 'control',
  successStatus: 202,
  input: z.object({ agentRuntimeId: runtimeIdSchema, endpointName: endpointNameSchema }),
  inputFrom: (_b, p) => ({ agentRuntimeId: p.agentRuntimeId, endpointName: p.endpointName }),
  async handler(input, { services }) {
    refuseDefault(input.endpointName, 'deleted');
    const e = await loadEndpoint(services.store, input.agentRuntimeId, input.endpointName);
    await services.store.delete(C.runtimeEndpoints, e.id);
    await docChanged(services, C.runtimeEndpoints, e.id);
    return { status: 'DELETING', agentRuntimeId: input.agentRuntimeId, endpointName: input.endpointName };
  },
});

export const listAgentRuntimeEndpoints = () => defineOperation({
  name: 'ListAgentRuntimeEndpoints',
  method: 'POST',
  path: '/runtimes/:agentRuntimeId/runtime-endpoints/',
  plane: 'control',
  successStatus: 200,
  input: z.object({ agentRuntimeId: runtimeIdSchema, ...pagingInput }),
  inputFrom: (_b, p, q) => ({ agentRuntimeId: p.agentRuntimeId, ...pagingFrom(q) }),
  async handler(input, { services }) {
    const rt = await loadRuntime(services.store, input.agentRuntimeId);
    const page = await pageByPrefix<RuntimeEndpointDoc>(services.store, C.runtimeEndpoints, `${rt.doc.agentRuntimeId}/`, input);
    const runtimeEndpoints = page.items.map((e) => endpointView(e, services.config));
    return page.nextToken ? { runtimeEndpoints, nextToken: page.nextToken } : { runtimeEndpoints };
  },
});
