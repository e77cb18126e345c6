/**
 * The seed notebook's setup: one tenant (GUID + domain alias), one multi-tenant app "mandate-agent"
 * exposing `api://{appId}/read` with a client secret and v2 tokens, and two users. Values are random;
 * the dev stack persists the seed it used.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EntraSeed } from './seed.ts';

export function demoSeed(): EntraSeed {
  const tenantId = randomUUID();
  const appId = randomUUID();
  const domain = `contoso${randomBytes(3).toString('hex')}.onmicrosoft.com`;
  return {
    tenants: [{
      id: tenantId,
      displayName: 'Contoso (emulated)',
      domains: [domain],
      users: [
        { username: `alice@${domain}`, password: randomBytes(12).toString('base64url'), displayName: 'Alice Example', email: `alice@${domain}` },
        { username: `bob@${domain}`, password: randomBytes(12).toString('base64url'), displayName: 'Bob Example', email: `bob@${domain}` },
      ],
      apps: [{
        appId,
        displayName: 'mandate-agent',
        signInAudience: 'AzureADMultipleOrgs',
        redirectUris: [],
        clientSecrets: [{ value: randomBytes(30).toString('base64url') }],
        identifierUris: [`api://${appId}`],
        scopes: [{ value: 'read', description: 'Read data on behalf of the signed-in user' }],
        accessTokenAcceptedVersion: 2,
      }],
    }],
  };
}
