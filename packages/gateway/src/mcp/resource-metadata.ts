import { MandateError } from '@mandate/core';
import { sendJson } from '@mandate/http';
import { defineRoute } from '@mandate/edge';
import type { GatewayEnv } from '../env.ts';
import { GATEWAY_ID } from '../arns.ts';
import { gatewayCollections as C, type GatewayDoc } from '../model.ts';
import { gatewayResourceMetadata } from './authenticate.ts';
import { cachedDoc } from '@mandate/edge';

/**
 * GET /.well-known/oauth-protected-resource/gateways/{gatewayId}/mcp: RFC 9728 metadata of a gateway,
 * unauthenticated as the RFC intends; it names the authorizer's issuer, so an MCP client that knows only
 * the gateway URL finds where to sign in.
 */
export const gatewayMetadataRoute = (env: GatewayEnv) => defineRoute({
  method: 'GET',
  path: '/.well-known/oauth-protected-resource/gateways/:gatewayId/mcp',
  handle: async ({ rc }) => {
    const id = rc.params.gatewayId!;
    const gw = GATEWAY_ID.test(id) ? await cachedDoc<GatewayDoc>(env.services, C.gateways, id) : undefined;
    if (!gw) throw new MandateError('not_found', 'No protected resource metadata is published here: there is no such gateway.');
    sendJson(rc.res, 200, await gatewayResourceMetadata(env, gw), { 'cache-control': 'max-age=300' });
  },
});
