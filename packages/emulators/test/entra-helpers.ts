/** Shared fixture for the Entra emulator tests: a two-app seed (client + API) and MSAL config. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EntraSeed } from '../src/entra/index.ts';

export interface Fixture {
  seed: EntraSeed;
  tenantId: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  apiId: string;
  apiV1Id: string;
  downstreamId: string;
  publicId: string;
  redirectUri: string;
  alice: { username: string; password: string };
  bob: { username: string; password: string };
}

export function fixture(extra: { clientCertPem?: string } = {}): Fixture {
  const tenantId = randomUUID();
  const domain = 'contoso.onmicrosoft.com';
  const clientId = randomUUID();
  const apiId = randomUUID();
  const apiV1Id = randomUUID();
  const downstreamId = randomUUID();
  const publicId = randomUUID();
  const clientSecret = randomBytes(24).toString('base64url');
  const redirectUri = 'http://localhost:8400/callback';
  const alice = { username: `alice@${domain}`, password: 'alice-Passw0rd!' };
  const bob = { username: `bob@${domain}`, password: 'bob-Passw0rd!' };
  return {
    tenantId, domain, clientId, clientSecret, apiId, apiV1Id, downstreamId, publicId, redirectUri, alice, bob,
    seed: {
      tenants: [{
        id: tenantId, displayName: 'Contoso', domains: [domain],
        users: [
          { ...alice, displayName: 'Alice Example', email: alice.username },
          { ...bob, displayName: 'Bob Example' },
        ],
        apps: [
          {
            appId: clientId, displayName: 'mandate-agent', signInAudience: 'AzureADMultipleOrgs', redirectUris: [redirectUri],
            clientSecrets: [{ value: clientSecret }], certificates: extra.clientCertPem ? [extra.clientCertPem] : [],
            scopes: [{ value: 'read', description: 'Read as the user' }], grantedAppRoles: { [apiId]: ['Data.Read.All'] },
          },
          {
            appId: apiId, displayName: 'Orders API', scopes: [{ value: 'read' }, { value: 'write' }, { value: 'manage', adminConsentRequired: true }],
            appRoles: [{ value: 'Data.Read.All' }], accessTokenAcceptedVersion: 2,
          },
          { appId: apiV1Id, displayName: 'Legacy API', identifierUris: [`api://${apiV1Id}`], scopes: [{ value: 'read' }], accessTokenAcceptedVersion: 1 },
          { appId: downstreamId, displayName: 'Downstream API', scopes: [{ value: 'read' }] },
          { appId: publicId, displayName: 'CLI', publicClient: true, redirectUris: ['http://localhost'] },
        ],
        adminConsents: { [clientId]: [`api://${downstreamId}/read`], [publicId]: [`api://${apiId}/read`] },
      }],
    },
  };
}

export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}

export function msalAuth(url: string, tenantId: string): { authority: string; knownAuthorities: string[] } {
  return { authority: `${url}/${tenantId}`, knownAuthorities: [new URL(url).host] };
}
