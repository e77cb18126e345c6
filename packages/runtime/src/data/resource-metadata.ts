import { MandateError } from '@mandate/core';
import { sendJson } from '@mandate/http';
import { defineRoute } from '@mandate/edge';
import type { RuntimeEnv } from '../env.ts';
import { targetQuery } from './inputs.ts';
import { resolveTarget, type Target } from './resolve-target.ts';

/** What a 401/403 of an MCP runtime tells the client (RFC 9728 §5.1; MCP authorization spec). */
export interface Challenge {
  resourceMetadata: string;
  scope?: string;
}

/** The MCP URL of a runtime: its invocations, by ARN (what GetAgentRuntime's ARN gives a client). */
export function resourceUrl(publicUrl: string, target: Target): string {
  return `${publicUrl}/runtimes/${encodeURIComponent(target.runtime.agentRuntimeArn)}/invocations`;
}

/** RFC 9728 §3.1: the metadata URL inserts /.well-known/oauth-protected-resource between host and path. */
export function metadataUrl(publicUrl: string, target: Target): string {
  const u = new URL(resourceUrl(publicUrl, target));
  return `${u.origin}/.well-known/oauth-protected-resource${u.pathname}`;
}

/** Scopes a client should ask for: advertisedScopeMapping's values, else the authorizer's allowedScopes. */
function advertisedScopes(target: Target): string[] {
  const mapped = target.version.advertisedScopeMapping;
  if (mapped && Object.keys(mapped).length > 0) return [...new Set(Object.values(mapped))];
  return target.version.authorizer?.allowedScopes ?? [];
}

export function mcpChallenge(publicUrl: string, target: Target): Challenge {
  const scopes = advertisedScopes(target);
  return scopes.length > 0 ? { resourceMetadata: metadataUrl(publicUrl, target), scope: scopes.join(' ') } : { resourceMetadata: metadataUrl(publicUrl, target) };
}

/** The issuer an OIDC discovery URL belongs to (OIDC Discovery §4: issuer + /.well-known/openid-configuration). */
function issuerOf(discoveryUrl: string): string {
  return discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, '');
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
    const scopes = advertisedScopes(target);
    sendJson(rc.res, 200, {
      resource: resourceUrl(env.services.config.publicUrl, target),
      authorization_servers: [issuerOf(authorizer.discoveryUrl)],
      bearer_methods_supported: ['header'],
      ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
      resource_name: target.runtime.agentRuntimeName,
    }, { 'cache-control': 'max-age=300' });
  },
});
