import { z } from 'zod';
import { endpointNameSchema } from '../schemas.ts';

export const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';

/** AgentCore requires at least 33 characters (a UUID is 36); Mandate enforces the same at its edge. */
const sessionId = z.string().regex(/^[\x21-\x7e]{33,256}$/, 'Member must be 33 to 256 printable characters');

/** The invocation's query string: `?qualifier=` (endpoint name, default DEFAULT) and `?accountId=` (with a bare runtime id). */
export const targetQuery = z.object({
  qualifier: endpointNameSchema.optional(),
  accountId: z.string().regex(/^[0-9]{12}$/, 'Member must be a 12-digit account id').optional(),
});

/** restJson1 `@httpHeader` bindings of the runtime data plane's members. */
const sessionBinding = { runtimeSessionId: SESSION_HEADER };

/** InvokeAgentRuntime: the session id is optional (only non-SDK callers omit it; Mandate then makes one). */
export const invokeHeaders = { bind: sessionBinding, schema: z.object({ runtimeSessionId: sessionId.optional() }) };

/** StopRuntimeSession: the session id is required. */
export const stopHeaders = { bind: sessionBinding, schema: z.object({ runtimeSessionId: sessionId }) };

export type TargetQuery = z.infer<typeof targetQuery>;

/** The query parameter presigned URLs and the shell client carry the session id in (it is signed with the URL). */
export const SESSION_QUERY = 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id';

/** `/ws`: the session id comes in the header (SigV4 headers, bearer) or the query (presigned, subprotocol bearer). */
export const wsQuery = targetQuery.extend({ [SESSION_QUERY]: sessionId.optional() });
export const wsHeaders = { bind: { ...sessionBinding, protocols: 'sec-websocket-protocol' }, schema: z.object({ runtimeSessionId: sessionId.optional(), protocols: z.string().max(8192).optional() }) };

/** InvokeAgentRuntimeCommand's body: the command line for /bin/sh and its timeout in seconds. */
export const commandBody = z.strictObject({
  command: z.string().min(1).max(65_536),
  timeout: z.number().int().min(1).max(3600).optional(),
});
