import { z } from 'zod';
import { customJwtAuthorizerSchema } from '@mandate/edge';

/** Input rules of the control plane, from the AgentCore API reference and the CLI's own checks (reference §2). */
export const runtimeNameSchema = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/, 'must match ^[a-zA-Z][a-zA-Z0-9_]{0,47}$');
export const endpointNameSchema = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/, 'must match ^[a-zA-Z][a-zA-Z0-9_]{0,47}$');
export const runtimeIdSchema = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$/, 'must be an agent runtime id');
export const versionSchema = z.string().regex(/^[1-9][0-9]{0,4}$/, 'must be a version number');
const clientToken = z.string().min(33).max(256).regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$/).optional();

export const artifactSchema = z.union([
  z.object({
    codeConfiguration: z.object({
      code: z.object({ s3: z.object({ bucket: z.string().min(1).max(255), prefix: z.string().min(1).max(1024), versionId: z.string().max(1024).optional() }) }),
      runtime: z.enum(['NODE_22', 'PYTHON_3_10', 'PYTHON_3_11', 'PYTHON_3_12', 'PYTHON_3_13', 'PYTHON_3_14']),
      entryPoint: z.array(z.string().min(1).max(128)).min(1).max(2),
    }),
  }),
  z.object({ containerConfiguration: z.object({ containerUri: z.string().min(1).max(1024) }) }),
]);

const lifecycle = z.object({
  idleRuntimeSessionTimeout: z.number().int().min(60).max(28_800).optional(),
  maxLifetime: z.number().int().min(60).max(28_800).optional(),
}).refine((l) => l.idleRuntimeSessionTimeout === undefined || l.maxLifetime === undefined || l.idleRuntimeSessionTimeout <= l.maxLifetime, 'idleRuntimeSessionTimeout must not exceed maxLifetime');

const headerName = z.string().min(1).max(256).regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name');

/** The fields shared by Create and Update. */
export const runtimeConfigShape = {
  agentRuntimeArtifact: artifactSchema,
  roleArn: z.string().min(1).max(2048),
  networkConfiguration: z.object({ networkMode: z.enum(['PUBLIC', 'VPC']), networkModeConfig: z.unknown().optional() }),
  clientToken,
  description: z.string().max(4096).optional(),
  authorizerConfiguration: z.object({ customJWTAuthorizer: customJwtAuthorizerSchema }).optional(),
  requestHeaderConfiguration: z.object({ requestHeaderAllowlist: z.array(headerName).min(1).max(20) }).optional(),
  protocolConfiguration: z.object({ serverProtocol: z.enum(['HTTP', 'MCP', 'A2A', 'AGUI']) }).optional(),
  lifecycleConfiguration: lifecycle.optional(),
  environmentVariables: z.record(z.string().min(1).max(100).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string().max(5000)).optional(),
  metadataConfiguration: z.object({ requireMMDSV2: z.boolean() }).optional(),
  filesystemConfigurations: z.array(z.unknown()).max(0, 'filesystemConfigurations are not supported by Mandate').optional(),
};

export const createRuntimeSchema = z.object({
  agentRuntimeName: runtimeNameSchema,
  ...runtimeConfigShape,
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
});

export const updateRuntimeSchema = z.object({ agentRuntimeId: runtimeIdSchema, ...runtimeConfigShape });

export type RuntimeConfigInput = z.infer<typeof updateRuntimeSchema>;
