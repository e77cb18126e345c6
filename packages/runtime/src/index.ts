export { createRuntimeRouter, type RuntimeHandle } from './router.ts';
export type { RuntimeOptions, RuntimeEnv } from './env.ts';
export { SessionManager } from './sessions/session-manager.ts';
export { resolveArtifact, LOCAL_BUCKET } from './artifact.ts';
export { runtimeCollections, type RuntimeDoc, type RuntimeVersionDoc, type RuntimeEndpointDoc } from './model.ts';
export { runtimeArn } from './arns.ts';
export { freePort } from './sessions/free-port.ts';
