import type { IncomingMessage } from 'node:http';
import { MandateError } from '@mandate/core';
import { protectedResourceDocument, resourceChallenge, withResourceChallenge, type AdvertisedAuthorizer } from '@mandate/edge';
import type { UserBinding } from '@mandate/identity';
import type { GatewayEnv } from '../env.ts';
import type { GatewayDoc } from '../model.ts';
import { gatewayUrl } from '../views.ts';
import { gatewayResource } from '../resource.ts';

export interface GatewayCaller {
  user: UserBinding;
  /** identity.userKey(user): who may use a session. */
  owner: string;
}

const advertised = (gw: GatewayDoc): AdvertisedAuthorizer => ({ ...gw.authorizer, advertisedScopeMapping: gw.advertisedScopeMapping });

/** RFC 9728 §2 metadata of a gateway's MCP endpoint. */
export const gatewayResourceMetadata = async (env: GatewayEnv, gw: GatewayDoc) => protectedResourceDocument(await gatewayResource(env, gw), advertised(gw), gw.name);

/**
 * The caller of a gateway: `Authorization: Bearer <JWT>` verified against the gateway's authorizer (the
 * same verifier as a runtime's). A missing, expired, foreign-issuer or wrong-audience token is a 401 whose
 * WWW-Authenticate names the metadata (RFC 9728 §5.1) and scopes; a valid token without an allowed scope
 * is a 403 insufficient_scope (RFC 6750 §3.1).
 */
export async function authenticateCaller(env: GatewayEnv, gw: GatewayDoc, req: IncomingMessage): Promise<GatewayCaller> {
  try {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!bearer) throw new MandateError('unauthorized', 'This gateway needs an OAuth bearer token in the Authorization header.', { headers: { 'www-authenticate': 'Bearer' } });
    const v = await env.identity.verifyInboundJwt(bearer[1]!, gw.authorizer);
    const user: UserBinding = { kind: 'jwt', issuer: v.issuer, subject: v.subject };
    return { user, owner: env.identity.userKey(user) };
  } catch (err) {
    throw withResourceChallenge(err, resourceChallenge(gatewayUrl(env.services.config.publicUrl, gw.gatewayId), advertised(gw)));
  }
}
