import type { SealedSecret } from '@mandate/core';

/**
 * Stored documents of the identity service and the store collections that hold them. Control-plane
 * operations (control/) write these; data-plane operations (data/) read them. Secrets are always
 * SealedSecret, never plaintext.
 */
/** AgentCore `CustomClaimValidationType` as it arrives on the wire. */
export interface CustomClaimRule {
  inboundTokenClaimName: string;
  inboundTokenClaimValueType: 'STRING' | 'STRING_ARRAY';
  authorizingClaimMatchValue: {
    claimMatchValue: { matchValueString?: string; matchValueStringList?: string[] };
    claimMatchOperator: 'EQUALS' | 'CONTAINS' | 'CONTAINS_ANY';
  };
}

export const collections = {
  oauth2Providers: 'oauth2_providers', //           id = provider name
  oauth2Callbacks: 'oauth2_callbacks', //           id = callback id (uuid in callbackUrl) -> { providerName }
  apiKeyProviders: 'apikey_providers', //           id = provider name
  workloadIdentities: 'workload_identities', //     id = workload name
  tokenVaults: 'token_vaults', //                   id = token vault id ('default')
  tags: 'tags', //                                  id = resource ARN -> { tags }
  vaultTokens: 'vault_tokens', //                   id = derived from (workload, user, provider, scopes)
  authSessions: 'auth_sessions', //                 id = session id (the part after urn:ietf:params:oauth:request_uri:)
  authHandles: 'auth_handles', //                 id = the handle in an authorization URL -> { sessionId }
  authStates: 'auth_states', //                     id = OAuth state -> { sessionId }
  m2mTokens: 'm2m_tokens', //                       id = derived from (provider, scopes, audiences, resources)
  dataKeys: 'data_keys', //                         id = DEK id (wrapped by the master key)
  serviceKeys: 'service_keys', //                   id = key purpose (e.g. workload-token signing key), sealed
} as const;

/** A vendor of the provider catalog (catalog/vendors.json is the one list of them). */
export type CredentialProviderVendor = string;

export type ClientAuthMethod = 'CLIENT_SECRET_BASIC' | 'CLIENT_SECRET_POST' | 'PRIVATE_KEY_JWT' | 'AWS_IAM_ID_TOKEN_JWT';

/** Endpoints Mandate talks to for one provider, resolved from the catalog, discovery or explicit metadata. */
export interface ResolvedEndpoints {
  issuer?: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  /** Set when endpoints come from (or are advertised by) OIDC/RFC 8414 discovery. */
  discoveryUrl?: string;
  jwksUri?: string;
  responseTypes?: string[];
  tokenEndpointAuthMethods?: string[];
  /** RFC 9207: the provider sends `iss` in authorization responses. */
  authorizationResponseIssParameterSupported?: boolean;
}

export interface Oauth2ProviderDoc {
  name: string;
  credentialProviderArn: string;
  vendor: CredentialProviderVendor;
  /** The union member used at creation, e.g. `microsoftOauth2ProviderConfig`. */
  configMember: string;
  clientId?: string;
  clientSecret?: SealedSecret;
  clientSecretSource: 'MANAGED' | 'EXTERNAL';
  clientSecretConfig?: { secretId: string; jsonKey: string };
  clientSecretArn: string;
  clientAuthenticationMethod?: ClientAuthMethod;
  /** MicrosoftOauth2 only. */
  tenantId?: string;
  endpoints: ResolvedEndpoints;
  /** The non-secret part of the input config, echoed back as oauth2ProviderConfigOutput. */
  configOutput: Record<string, unknown>;
  /** Provider-specific behaviour from the catalog (e.g. `offlineAccessScope`, `scopeSeparator`). */
  quirks: Record<string, unknown>;
  onBehalfOfTokenExchangeConfig?: Record<string, unknown>;
  /** The id in `callbackUrl` = `${publicUrl}/identities/oauth2/callback/${callbackId}`. */
  callbackId: string;
  status: 'READY' | 'CREATE_FAILED' | 'UPDATE_FAILED';
  createdTime: number; // epoch ms
  lastUpdatedTime: number; // epoch ms
}

export interface ApiKeyProviderDoc {
  name: string;
  credentialProviderArn: string;
  apiKey?: SealedSecret;
  apiKeySecretSource: 'MANAGED' | 'EXTERNAL';
  apiKeySecretConfig?: { secretId: string; jsonKey: string };
  apiKeySecretArn: string;
  createdTime: number;
  lastUpdatedTime: number;
}

/** Who may sign users in for a workload: the issuers GetWorkloadAccessTokenForJWT trusts. */
export interface InboundJwtConfig {
  discoveryUrl: string;
  allowedAudience?: string[];
  allowedClients?: string[];
  /** Set for runtime-managed workloads: the runtime authorizer's scope and claim rules apply here too. */
  allowedScopes?: string[];
  customClaims?: CustomClaimRule[];
}

export interface WorkloadIdentityDoc {
  name: string;
  workloadIdentityArn: string;
  allowedResourceOauth2ReturnUrls: string[];
  /** Mandate extension: issuers whose user JWTs this workload accepts (set by the runtime for its own workload). */
  inboundJwt?: InboundJwtConfig[];
  /** Mandate extension: the runtime that owns this workload identity, if any. */
  managedBy?: string;
  createdTime: number;
  lastUpdatedTime: number;
}

export interface TokenVaultDoc {
  tokenVaultId: string;
  kmsConfiguration: { keyType: 'ServiceManagedKey' | 'CustomerManagedKey'; kmsKeyArn?: string };
  lastModifiedDate: number;
}


/** The user a workload acts for: from a verified JWT (issuer + subject) or a caller-supplied user id. */
export type UserBinding =
  | { kind: 'jwt'; issuer: string; subject: string }
  | { kind: 'userId'; userId: string }
  | { kind: 'none' };

/** Tokens as a provider's token endpoint returned them (RFC 6749 §5.1), before they are sealed. */
export interface ProviderTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms from `expires_in`; undefined when the provider gave none. */
  expiresAt?: number;
  scope?: string;
}

/** Canonical scope set: unique, sorted, space-joined. Vault rows are keyed by it (least privilege, A.1 item 10). */
export function scopesKey(scopes: string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}
