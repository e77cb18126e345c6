import { MandateError } from '@mandate/core';

export interface ArnScope {
  region: string;
  accountId: string;
}

/** Runtime ids are `{agentRuntimeName}-{10 alphanumerics}` (reference §2). */
export const RUNTIME_ID = /^[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$/;

export const runtimeArn = (s: ArnScope, id: string) => `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:runtime/${id}`;
export const runtimeEndpointArn = (s: ArnScope, id: string, name: string) => `${runtimeArn(s, id)}/runtime-endpoint/${name}`;

/**
 * The runtime id named by the data plane's `{agentRuntimeArn}` label: a full ARN of this server's
 * region and account, or a bare id (optionally with `?accountId=`). Anything else is not ours.
 */
export function runtimeIdFrom(s: ArnScope, label: string, accountId: string | null): string {
  let id = label;
  if (label.startsWith('arn:')) {
    const prefix = `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:runtime/`;
    if (!label.startsWith(prefix)) throw new MandateError('not_found', 'No agent runtime with this ARN exists in this region and account.');
    id = label.slice(prefix.length);
  } else if (accountId !== null && accountId !== s.accountId) {
    throw new MandateError('not_found', `No agent runtime ${label} exists in account ${accountId}.`);
  }
  if (!RUNTIME_ID.test(id)) throw new MandateError('validation', 'The agent runtime ARN or id is not valid.', { reason: 'FieldValidationFailed', fieldList: [{ name: 'agentRuntimeArn', message: 'Member must be a runtime ARN or id' }] });
  return id;
}
