import type { IncomingMessage } from 'node:http';
import { MandateError } from '@mandate/core';
import { isPresigned, withResourceChallenge, type EdgeServices, type ResourceChallenge } from '@mandate/edge';
import type { IdentityPort, UserBinding } from '@mandate/identity';
import type { RuntimeVersionDoc } from '../model.ts';

export const USER_ID_HEADER = 'x-amzn-bedrock-agentcore-runtime-user-id';
/** What `withWatPropagation` (bedrock-agentcore) sets on an agent's Invoke* calls: the WAT the calling agent holds. */
export const PROPAGATED_WAT_HEADER = 'x-amz-bedrock-agentcore-identity-wat';

export interface InvocationCaller {
  user: UserBinding;
  /** Stable key of whoever may use a session: the verified user, or the signing key when no user is named. */
  owner: string;
  /** The verified bearer token (sealed inside the WAT for on-behalf-of exchange). */
  userToken?: string;
  /** How the caller proved itself: a user's bearer token, an admin key, or a workload key propagating its user's WAT. */
  via: 'bearer' | 'admin-key' | 'workload-key';
}

const mismatch = (expected: string) =>
  new MandateError('access_denied', `Authorization method mismatch. This agent runtime is configured for ${expected} authorization.`);

/**
 * AgentCore's two ways in (reference §1.3, §8.6): a runtime with a customJWTAuthorizer takes only
 * `Authorization: Bearer <JWT>`; a runtime without one takes only SigV4 (admin keys), with the user
 * named by `X-Amzn-Bedrock-AgentCore-Runtime-User-Id`. The wrong scheme is a 403 mismatch; a bad
 * token is a 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3).
 */
export interface InvocationAuthOptions {
  /** A bearer token carried outside the Authorization header (a WebSocket's Sec-WebSocket-Protocol). */
  bearer?: string;
  /** Accept SigV4 presigned URLs valid for at most this long (WebSockets only). */
  presigned?: { maxExpiresSeconds: number };
  /** MCP runtimes: where a refused client finds the protected resource metadata (RFC 9728 §5.1). */
  challenge?: ResourceChallenge | undefined;
}

export async function authenticateInvocation(
  services: EdgeServices, identity: IdentityPort, req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, version: RuntimeVersionDoc,
  options: InvocationAuthOptions = {},
): Promise<InvocationCaller> {
  try {
    return await authenticate(services, identity, req, rawPath, rawQuery, body, version, options);
  } catch (err) {
    throw withResourceChallenge(err, options.challenge);
  }
}

async function authenticate(
  services: EdgeServices, identity: IdentityPort, req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, version: RuntimeVersionDoc,
  options: InvocationAuthOptions,
): Promise<InvocationCaller> {
  const header = req.headers.authorization ?? '';
  if (options.bearer !== undefined && header !== '') {
    throw new MandateError('validation', 'Send the bearer token either in the Authorization header or in Sec-WebSocket-Protocol, not both.');
  }
  const authz = options.bearer !== undefined ? `Bearer ${options.bearer}` : header;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authz);
  const sigv4 = authz.startsWith('AWS4-') || (req.headers['x-amz-date'] !== undefined && !bearer) || (options.presigned !== undefined && !bearer && isPresigned(rawQuery));
  if (version.authorizer) {
    if (sigv4) throw mismatch('OAuth (bearer token)');
    if (!bearer) {
      throw new MandateError('unauthorized', 'This agent runtime needs an OAuth bearer token in the Authorization header.', { headers: { 'www-authenticate': 'Bearer' } });
    }
    const token = bearer[1]!;
    const v = await identity.verifyInboundJwt(token, version.authorizer);
    const user: UserBinding = { kind: 'jwt', issuer: v.issuer, subject: v.subject };
    const propagated = await propagatedWat(identity, req);
    // A propagated chain may only continue the bearer's own user: it cannot switch identities mid-call.
    if (propagated && identity.userKey(propagated.user) !== identity.userKey(user)) {
      throw new MandateError('access_denied', 'The propagated workload access token names another user than the bearer token.');
    }
    return { user, owner: identity.userKey(user), userToken: token, via: 'bearer' };
  }
  if (bearer) throw mismatch('AWS SigV4 (IAM)');
  const caller = await services.authenticator.authenticate(req, rawPath, rawQuery, body, options.presigned ? { presigned: options.presigned } : undefined);
  const userId = req.headers[USER_ID_HEADER];
  const propagated = await propagatedWat(identity, req);
  if (propagated) {
    // Agent-to-agent (withWatPropagation): the caller acts for the user its WAT names. A workload key may
    // only pass on WATs minted for its own workload, so one agent cannot replay another's user.
    if (caller.role !== 'admin' && caller.workloadName !== propagated.workloadName) {
      throw new MandateError('access_denied', 'The propagated workload access token was not issued to the calling workload.');
    }
    if (typeof userId === 'string' && userId !== '') {
      throw new MandateError('validation', 'Name the user either with runtimeUserId or with a propagated workload access token, not both.');
    }
    return {
      via: caller.role === 'admin' ? 'admin-key' : 'workload-key',
      user: propagated.user,
      owner: identity.userKey(propagated.user),
      ...(propagated.userToken === undefined ? {} : { userToken: propagated.userToken }),
    };
  }
  if (caller.role !== 'admin') {
    throw new MandateError('access_denied', `The caller ${caller.accessKeyId} is not authorized to perform InvokeAgentRuntime: it needs an admin access key, or a workload key propagating its user's workload access token.`);
  }
  if (typeof userId === 'string' && userId !== '') {
    if (userId.length > 128) throw new MandateError('validation', 'runtimeUserId must be at most 128 characters.', { reason: 'FieldValidationFailed', fieldList: [{ name: 'runtimeUserId', message: 'Member must have length less than or equal to 128' }] });
    const user: UserBinding = { kind: 'userId', userId };
    return { user, owner: identity.userKey(user), via: 'admin-key' };
  }
  return { user: { kind: 'none' }, owner: `key:${caller.accessKeyId}`, via: 'admin-key' };
}

/** The propagated WAT, verified (forged, expired or foreign-keyed ones are refused), or undefined when none was sent. */
async function propagatedWat(identity: IdentityPort, req: IncomingMessage) {
  const h = req.headers[PROPAGATED_WAT_HEADER];
  if (h === undefined || h === '') return undefined;
  if (typeof h !== 'string') throw new MandateError('validation', 'Send one X-Amz-Bedrock-AgentCore-Identity-WAT header.');
  return identity.verifyWorkloadAccessToken(h);
}
