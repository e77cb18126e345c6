import type { StoreOps } from '@mandate/storage';
import { deleteTags, readTags, writeTags } from './control/common.ts';
import { inboundJwtVerifierFor, type VerifiedInboundJwt } from './inbound-jwt/index.ts';
import type { InboundJwtConfig, UserBinding } from './model.ts';
import type { IdentityServices } from './services.ts';
import { createManagedWorkload, deleteManagedWorkload, managedWorkloadChanged, updateManagedWorkload, type ManagedWorkloadInput } from './workload/managed.ts';
import { builtInReturnUrl } from './flows/user-federation.ts';
import { credentialProviderOf, resourceApiKey, resourceToken, type CredentialProviderRef, type ResourceToken, type ResourceTokenRequest } from './flows/resource-access.ts';
import { mintWorkloadAccessToken, userKey, verifyWorkloadAccessToken, type VerifiedWorkloadToken } from './workload/token.ts';

/**
 * Everything another part of Mandate (the agent runtime, a gateway) may ask of the identity service.
 * It is the only way in: callers never read or write identity's rows, so identity can change its
 * storage, caching and layering without breaking them.
 */
export interface IdentityPort {
  /** Mints the workload access token (WAT) an agent receives to act for `user`; `userToken` is kept for on-behalf-of exchange. */
  mintWorkloadAccessToken(args: { workloadName: string; user: UserBinding; userToken?: string }): Promise<string>;
  /** Verifies a WAT Mandate minted (a caller propagating its user's identity to another agent); throws access_denied otherwise. */
  verifyWorkloadAccessToken(token: string): Promise<VerifiedWorkloadToken>;
  /** Verifies an inbound user JWT against an authorizer configuration (discovery, JWKS, audiences, clients, scopes, claims). */
  verifyInboundJwt(token: string, config: InboundJwtConfig): Promise<VerifiedInboundJwt>;
  /** The stable key of a user binding: two bindings name the same user exactly when their keys are equal. */
  userKey(user: UserBinding): string;
  /** Which credential provider of this server an ARN names (checked to exist); a foreign or unknown ARN is a validation error. */
  credentialProvider(arn: string): Promise<CredentialProviderRef>;
  /**
   * An OAuth2 token of a credential provider for a workload the caller owns, acting for a user the caller
   * authenticated: USER_FEDERATION reads the user's token from the vault (refreshing it) or starts a
   * consent that the built-in return page completes; M2M runs the client-credentials grant.
   */
  resourceToken(req: ResourceTokenRequest): Promise<ResourceToken>;
  /** The API key an API key credential provider holds. */
  resourceApiKey(providerName: string): Promise<string>;
  /** The built-in OAuth return page, where a person confirms who they are after consent. */
  readonly returnPageUrl: string;
  /** Workload identities owned by the caller; the create/update/delete run inside the caller's transaction. */
  workloads: {
    create(tx: StoreOps, input: Omit<ManagedWorkloadInput, 'allowedResourceOauth2ReturnUrls'>): Promise<{ workloadIdentityArn: string }>;
    update(tx: StoreOps, name: string, managedBy: string, inboundJwt: InboundJwtConfig[] | undefined): Promise<void>;
    delete(tx: StoreOps, name: string, managedBy: string): Promise<void>;
    /** After the caller's transaction commits: every instance sees the change at once. */
    changed(name: string): Promise<void>;
  };
  /** Resource tags (TagResource and friends read them), written with the tagged resource. */
  tags: {
    write(tx: StoreOps, arn: string, tags: Record<string, string> | undefined): Promise<void>;
    delete(tx: StoreOps, arn: string): Promise<void>;
    /** The resource's tags (empty when it has none). */
    read(arn: string): Promise<Record<string, string>>;
  };
}

export function createIdentityPort(services: IdentityServices): IdentityPort {
  // Read at call time: a server that learns its public URL only once it listens (port 0) sets it after assembly.
  const returnPageUrl = () => builtInReturnUrl(services);
  return {
    mintWorkloadAccessToken: (args) => mintWorkloadAccessToken(services, args),
    verifyWorkloadAccessToken: (token) => verifyWorkloadAccessToken(services, token),
    verifyInboundJwt: (token, config) => inboundJwtVerifierFor(services).verify(token, config),
    userKey,
    credentialProvider: (arn) => credentialProviderOf(services, arn),
    resourceToken: (req) => resourceToken(services, req),
    resourceApiKey: (name) => resourceApiKey(services, name),
    get returnPageUrl() {
      return returnPageUrl();
    },
    workloads: {
      create: async (tx, input) => {
        const doc = await createManagedWorkload(services, tx, { ...input, allowedResourceOauth2ReturnUrls: [returnPageUrl()] });
        return { workloadIdentityArn: doc.workloadIdentityArn };
      },
      update: (tx, name, managedBy, inboundJwt) => updateManagedWorkload(services, tx, name, managedBy, inboundJwt),
      delete: (tx, name, managedBy) => deleteManagedWorkload(tx, name, managedBy),
      changed: (name) => managedWorkloadChanged(services, name),
    },
    tags: { write: writeTags, delete: deleteTags, read: (arn) => readTags(services.store, arn) },
  };
}
