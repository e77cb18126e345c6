import { MandateError } from '@mandate/core';
import { sendJson } from '@mandate/http';
import { defineRoute, isResourceFor, protectedResourceDocument, RESOURCE_TAG, resourceChallenge, type AdvertisedAuthorizer, type ResourceChallenge } from '@mandate/edge';
import type { RuntimeEnv } from '../env.ts';
import { targetQuery } from './inputs.ts';
import { resolveTarget, type Target } from './resolve-target.ts';

/** The MCP URL of a runtime: its invocations, by ARN (what GetAgentRuntime's ARN gives a client). */
export function resourceUrl(publicUrl: string, target: Target): string {
  return `${publicUrl}/runtimes/${encodeURIComponent(target.runtime.agentRuntimeArn)}/invocations`;
}

/** The authorizer as RFC 9728 metadata sees it: advertisedScopeMapping is kept beside the authorizer rules. */
const advertised = (target: Target): AdvertisedAuthorizer => ({ ...target.version.authorizer!, advertisedScopeMapping: target.version.advertisedScopeMapping });

export function mcpChallenge(publicUrl: string, target: Target): ResourceChallenge | undefined {
  return target.version.authorizer ? resourceChallenge(resourceUrl(publicUrl, target), advertised(target)) : undefined;
}

/**
 * GET /.well-known/oauth-protected-resource/runtimes/{agentRuntimeArn}/invocations: RFC 9728 protected
 * resource metadata of an MCP runtime with an inbound JWT authorizer, unauthenticated as the RFC intends.
 * It names the authorizer's issuer as the authorization server, so an MCP client that only knows the
 * runtime's URL can find where to sign in.
 */
export const protectedResourceMetadata = (env: RuntimeEnv) => defineRoute({
  method: 'GET',
  path: '/.well-known/oauth-protected-resource/runtimes/:agentRuntimeArn/invocations',
  query: targetQuery,
  handle: async ({ query, rc }) => {
    // Unauthenticated: an unknown runtime, a non-MCP one and one without an authorizer all get the same answer,
    // so the path reveals nothing about runtimes that publish no metadata.
    const none = () => new MandateError('not_found', 'No protected resource metadata is published here: only MCP runtimes with a JWT authorizer have it.');
    const target = await resolveTarget(env.services, rc.params.agentRuntimeArn!, query).catch((err: unknown) => {
      throw err instanceof MandateError && (err.code === 'not_found' || err.code === 'conflict') ? none() : err;
    });
    const authorizer = target.version.authorizer;
    if (target.version.protocolConfiguration.serverProtocol !== 'MCP' || !authorizer) throw none();
    const url = resourceUrl(env.services.config.publicUrl, target);
    // The `mandate:mcp-resource` tag names another resource identifier (an IdP's App ID URI, a prefix of the URL); anything else is ignored.
    const tagged = (await env.identity.tags.read(target.runtime.agentRuntimeArn))[RESOURCE_TAG];
    const resource = tagged !== undefined && isResourceFor(tagged, url) ? tagged : url;
    sendJson(rc.res, 200, protectedResourceDocument(resource, advertised(target), target.runtime.agentRuntimeName), { 'cache-control': 'max-age=300' });
  },
});
