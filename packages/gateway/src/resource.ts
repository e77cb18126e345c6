import type { GatewayEnv } from './env.ts';
import type { GatewayDoc } from './model.ts';
import { gatewayUrl } from './views.ts';
import { isResourceFor, RESOURCE_TAG } from '@mandate/edge';

/** The resource identifier a gateway advertises: its tag when valid, else its MCP URL. */
export async function gatewayResource(env: GatewayEnv, gw: GatewayDoc): Promise<string> {
  const url = gatewayUrl(env.services.config.publicUrl, gw.gatewayId);
  const tagged = (await env.identity.tags.read(gw.gatewayArn))[RESOURCE_TAG];
  if (tagged === undefined) return url;
  if (isResourceFor(tagged, url)) return tagged;
  env.services.logger.warn('gateway resource tag ignored: not the gateway URL or a same-origin prefix of it', { gatewayId: gw.gatewayId });
  return url;
}

