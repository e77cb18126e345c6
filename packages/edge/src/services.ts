import type { Clock, Logger, SecretBox } from '@mandate/core';
import type { Store } from '@mandate/storage';
import type { IncomingMessage } from 'node:http';

/** Who signed a request. */
export interface CallerIdentity {
  accessKeyId: string;
  /** `admin` keys may call every operation of both planes; `workload` keys only the data plane, for their workload. */
  role: 'admin' | 'workload';
  /** Set for `workload` keys. */
  workloadName?: string;
  /** May this caller mint workload access tokens for an arbitrary user id (GetWorkloadAccessTokenForUserId)? */
  allowUserIdTokens: boolean;
}

export interface AuthenticateOptions {
  /** Also accept SigV4 query authentication (presigned URLs), valid for at most this long. Off unless a route asks. */
  presigned?: { maxExpiresSeconds: number };
}

export interface RequestAuthenticator {
  /** Verifies the SigV4 signature of a request whose body has already been read. Throws a MandateError. */
  authenticate(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, options?: AuthenticateOptions): Promise<CallerIdentity>;
}

/** What every service that answers AWS-style requests on Mandate's port shares. */
export interface ServiceConfig {
  /** Public base URL of this Mandate server (no trailing slash). */
  publicUrl: string;
  region: string;
  accountId: string;
  /** Dev mode relaxes https-only rules for loopback URLs. */
  devMode: boolean;
}

/**
 * The services the edge needs, and the least a plane built on it (identity, runtime) is given. A plane
 * adds its own members by extending this interface; the edge never reads beyond it.
 */
export interface EdgeServices {
  store: Store;
  secrets: SecretBox;
  authenticator: RequestAuthenticator;
  config: ServiceConfig;
  clock: Clock;
  logger: Logger;
}
