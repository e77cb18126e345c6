import { MandateError, validationError } from '@mandate/core';
import type { StoreOps, StoredRecord } from '@mandate/storage';
import { cachedDoc } from '@mandate/edge';
import type { EdgeServices } from '@mandate/edge';
import { resolveArtifact } from './artifact.ts';
import { PROTOCOLS, type ServerProtocol } from './protocols.ts';
import {
  DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_LIFETIME_S, runtimeCollections as C, versionKey,
  type CustomJwtAuthorizer, type RuntimeArtifact, type RuntimeDoc, type RuntimeEndpointDoc, type RuntimeVersionDoc,
} from './model.ts';
import type { RuntimeConfigInput } from './schemas.ts';

export async function loadRuntime(store: StoreOps, id: string): Promise<StoredRecord<RuntimeDoc>> {
  const rec = await store.get<RuntimeDoc>(C.runtimes, id);
  if (!rec) throw new MandateError('not_found', `The agent runtime ${id} does not exist.`);
  return rec;
}

/**
 * Versions are immutable once written, so the invocation hot path keeps them in memory. A hit is only
 * used when it is not older than the (freshly read) runtime, so a runtime deleted and re-created under
 * the same id (ids carry 10 random characters, so only in theory) never serves a stale version.
 */
const versionCache = new Map<string, RuntimeVersionDoc>();
const VERSION_CACHE_MAX = 1000;

export async function loadVersion(store: StoreOps, id: string, version: string): Promise<RuntimeVersionDoc> {
  const key = versionKey(id, version);
  const rec = await store.get<RuntimeVersionDoc>(C.runtimeVersions, key);
  if (!rec) throw new MandateError('not_found', `Version ${version} of agent runtime ${id} does not exist.`);
  return rec.doc;
}

/** Cached variant for the data plane: one store read avoided per invocation once warm. */
export async function loadVersionCached(store: StoreOps, rt: RuntimeDoc, version: string): Promise<RuntimeVersionDoc> {
  const key = versionKey(rt.agentRuntimeId, version);
  const hit = versionCache.get(key);
  if (hit && hit.createdTime >= rt.createdTime) return hit;
  const doc = await loadVersion(store, rt.agentRuntimeId, version);
  if (versionCache.size >= VERSION_CACHE_MAX) versionCache.delete(versionCache.keys().next().value!);
  versionCache.set(key, doc);
  return doc;
}

/**
 * The invocation path reads the runtime and its endpoint through the identity package's per-process
 * document cache (invalidated by `docChanged` after every control-plane write of either, on every
 * instance; a 1 s TTL bounds anything else), so a warm invocation does not read them from the store.
 * Control-plane operations keep using the store-backed loaders above and below.
 */
export async function loadRuntimeCached(services: EdgeServices, id: string): Promise<RuntimeDoc> {
  const doc = await cachedDoc<RuntimeDoc>(services, C.runtimes, id);
  if (!doc) throw new MandateError('not_found', `The agent runtime ${id} does not exist.`);
  return doc;
}

export async function loadEndpointCached(services: EdgeServices, id: string, name: string): Promise<RuntimeEndpointDoc> {
  const doc = await cachedDoc<RuntimeEndpointDoc>(services, C.runtimeEndpoints, `${id}/${name}`);
  if (!doc) throw new MandateError('not_found', `The endpoint ${name} of agent runtime ${id} does not exist.`);
  return doc;
}

export async function loadEndpoint(store: StoreOps, id: string, name: string): Promise<StoredRecord<RuntimeEndpointDoc>> {
  const rec = await store.get<RuntimeEndpointDoc>(C.runtimeEndpoints, `${id}/${name}`);
  if (!rec) throw new MandateError('not_found', `The endpoint ${name} of agent runtime ${id} does not exist.`);
  return rec;
}

/** Builds an immutable version document from Create/Update input; validates and resolves the artifact. */
export function buildVersion(id: string, version: string, input: Omit<RuntimeConfigInput, 'agentRuntimeId'>, now: number): RuntimeVersionDoc {
  const protocol = input.protocolConfiguration?.serverProtocol ?? 'HTTP';
  if (!(protocol in PROTOCOLS)) {
    const known = Object.keys(PROTOCOLS).join(', ');
    throw validationError(`serverProtocol ${protocol} is not supported by Mandate yet; it hosts ${known} agents.`, [
      { name: 'protocolConfiguration.serverProtocol', message: `${protocol} is not supported; use one of ${known}` },
    ]);
  }
  const artifact = input.agentRuntimeArtifact as RuntimeArtifact;
  const idle = input.lifecycleConfiguration?.idleRuntimeSessionTimeout ?? DEFAULT_IDLE_TIMEOUT_S;
  const max = input.lifecycleConfiguration?.maxLifetime ?? DEFAULT_MAX_LIFETIME_S;
  if (idle > max) throw validationError('idleRuntimeSessionTimeout must not exceed maxLifetime.', [{ name: 'lifecycleConfiguration.idleRuntimeSessionTimeout', message: 'must not exceed maxLifetime' }]);
  const doc: RuntimeVersionDoc = {
    agentRuntimeId: id,
    agentRuntimeVersion: version,
    agentRuntimeArtifact: artifact,
    launch: resolveArtifact(artifact),
    roleArn: input.roleArn,
    networkConfiguration: input.networkConfiguration,
    protocolConfiguration: { serverProtocol: protocol as ServerProtocol },
    lifecycleConfiguration: { idleRuntimeSessionTimeout: idle, maxLifetime: max },
    createdTime: now,
  };
  const a = input.authorizerConfiguration?.customJWTAuthorizer;
  if (a) {
    // advertisedScopeMapping is not an authorizer rule (it is kept beside it); members the caller left out stay out of the document.
    const authorizer: CustomJwtAuthorizer = { discoveryUrl: a.discoveryUrl };
    if (a.allowedAudience) authorizer.allowedAudience = a.allowedAudience;
    if (a.allowedClients) authorizer.allowedClients = a.allowedClients;
    if (a.allowedScopes) authorizer.allowedScopes = a.allowedScopes;
    if (a.customClaims) authorizer.customClaims = a.customClaims as CustomJwtAuthorizer['customClaims'] & object;
    doc.authorizer = authorizer;
    if (a.advertisedScopeMapping) doc.advertisedScopeMapping = a.advertisedScopeMapping;
  }
  if (input.requestHeaderConfiguration) doc.requestHeaderAllowlist = input.requestHeaderConfiguration.requestHeaderAllowlist;
  if (input.environmentVariables) doc.environmentVariables = input.environmentVariables;
  if (input.description !== undefined) doc.description = input.description;
  if (input.metadataConfiguration) doc.metadataConfiguration = input.metadataConfiguration;
  return doc;
}
