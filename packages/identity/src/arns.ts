import { randomAlnum } from '@mandate/core';
import type { IdentityConfig } from './services.ts';

/** ARNs in the shapes AgentCore Identity uses (reference §3.3-3.5), scoped to this server's region/account. */
const base = (c: IdentityConfig) => `arn:aws:bedrock-agentcore:${c.region}:${c.accountId}`;

export const tokenVaultArn = (c: IdentityConfig, vaultId = 'default') => `${base(c)}:token-vault/${vaultId}`;
export const oauth2ProviderArn = (c: IdentityConfig, name: string) => `${tokenVaultArn(c)}/oauth2credentialprovider/${name}`;
export const apiKeyProviderArn = (c: IdentityConfig, name: string) => `${tokenVaultArn(c)}/apikeycredentialprovider/${name}`;
export const workloadIdentityArn = (c: IdentityConfig, name: string) => `${base(c)}:workload-identity-directory/default/workload-identity/${name}`;

/** Secrets Manager-style ARN with the 6-character suffix AWS appends; fixed at creation, stable across updates. */
export const secretArn = (c: IdentityConfig, kind: 'oauth2' | 'apikey', name: string) =>
  `arn:aws:secretsmanager:${c.region}:${c.accountId}:secret:bedrock-agentcore-identity!default/${kind}/${name}-${randomAlnum(6)}`;

export type ArnTarget =
  | { kind: 'oauth2'; name: string }
  | { kind: 'apikey'; name: string }
  | { kind: 'workload'; name: string }
  | { kind: 'vault'; name: string };

/** Which resource of this server an ARN names, or undefined when it is not one of ours. */
export function parseArn(c: IdentityConfig, arn: string): ArnTarget | undefined {
  const vault = tokenVaultArn(c);
  const pick = (prefix: string): string | undefined => {
    if (!arn.startsWith(prefix)) return undefined;
    const name = arn.slice(prefix.length);
    return /^[a-zA-Z0-9\-_]{1,128}$/.test(name) ? name : undefined;
  };
  let name: string | undefined;
  if ((name = pick(`${vault}/oauth2credentialprovider/`))) return { kind: 'oauth2', name };
  if ((name = pick(`${vault}/apikeycredentialprovider/`))) return { kind: 'apikey', name };
  if ((name = pick(`${base(c)}:workload-identity-directory/default/workload-identity/`))) return { kind: 'workload', name };
  if ((name = pick(`${base(c)}:token-vault/`))) return { kind: 'vault', name };
  return undefined;
}
