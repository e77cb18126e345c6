import { MandateError } from '@mandate/core';

export interface ArnScope {
  region: string;
  accountId: string;
}

/** Gateway ids are `{name}-{10 lowercase alphanumerics}`, as AgentCore's (`my-gateway-abc123defg`). */
export const GATEWAY_ID = /^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$/;
/** Target ids are 10 uppercase alphanumerics. */
export const TARGET_ID = /^[0-9A-Z]{10}$/;

export const gatewayArn = (s: ArnScope, id: string) => `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:gateway/${id}`;

/** `gatewayIdentifier` is the id or the ARN of a gateway of this region and account. */
export function gatewayIdFrom(s: ArnScope, identifier: string): string {
  const prefix = `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:gateway/`;
  if (identifier.startsWith('arn:')) {
    if (!identifier.startsWith(prefix)) throw new MandateError('not_found', `No gateway with the ARN ${identifier} exists in this region and account.`);
    return identifier.slice(prefix.length);
  }
  return identifier;
}
