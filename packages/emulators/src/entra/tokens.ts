/**
 * Entra-shaped JWTs (reference §2.2-2.3). The access-token shape is chosen by the RESOURCE's
 * `accessTokenAcceptedVersion`: v2 → `aud` = resource app id, `azp`/`azpacr`, `…/{tid}/v2.0` issuer;
 * v1 → `aud` = the identifier the client used, `appid`/`appidacr`, `https://{sts}/{tid}/` issuer and an
 * `x5t` header. `scp` carries short names; app-only tokens carry `roles` and `idtyp: app`.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '@mandate/core';
import type { App, EntraDirectory, User } from './directory.ts';
import type { ResourceRequest } from './scopes.ts';
import type { SigningKey } from './signing-key.ts';
import { issuerV1, issuerV2, type UrlConfig } from './urls.ts';

export interface TokenContext {
  urls: UrlConfig;
  key: SigningKey;
  clock: Clock;
  directory: EntraDirectory;
}

/** How the client authenticated: `0` public, `1` secret, `2` certificate (`azpacr` / `appidacr`). */
export type ClientAuthLevel = '0' | '1' | '2';

export interface AccessTokenInput {
  tenantId: string;
  client: App;
  clientAuth: ClientAuthLevel;
  resource: ResourceRequest;
  /** Absent for app-only (client credentials) tokens. */
  user?: User;
  scopes: string[];
  roles?: string[];
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  version: 1 | 2;
}

const opaque = (n = 24): string => randomBytes(n).toString('base64url');

/** Pairwise subject per (user, app) — Entra's `sub` differs for each app (reference §2.2). */
export function pairwiseSub(tenantId: string, userId: string, appId: string): string {
  return createHash('sha256').update(`${tenantId}|${userId}|${appId}`).digest('base64url');
}

export async function mintAccessToken(ctx: TokenContext, input: AccessTokenInput): Promise<IssuedAccessToken> {
  const { tenantId, client, resource, user } = input;
  const version = resource.app?.accessTokenAcceptedVersion ?? 1;
  const now = Math.floor(ctx.clock.now() / 1000);
  const expiresIn = randomInt(3600, 5401); // 60-90 minutes, like Entra's randomised lifetime
  const oid = user ? user.id : ctx.directory.servicePrincipalId(tenantId, client.appId);
  const claims: Record<string, unknown> = {
    aud: version === 2 ? resource.appId : resource.identifier,
    iss: version === 2 ? issuerV2(ctx.urls, tenantId) : issuerV1(ctx.urls, tenantId),
    iat: now, nbf: now, exp: now + expiresIn,
    aio: opaque(),
  };
  if (version === 2) Object.assign(claims, { azp: client.appId, azpacr: input.clientAuth });
  else Object.assign(claims, { appid: client.appId, appidacr: input.clientAuth });
  if (user) {
    if (version === 1) Object.assign(claims, { amr: ['pwd'], unique_name: user.username, upn: user.username });
    Object.assign(claims, { name: user.displayName, oid, ...(version === 2 ? { preferred_username: user.username } : {}) });
    claims.rh = `0.${opaque(32)}.`;
    claims.scp = input.scopes.join(' ');
    const roles = user.appRoles[resource.appId];
    if (roles?.length) claims.roles = roles;
    claims.sub = pairwiseSub(tenantId, user.id, resource.appId);
  } else {
    Object.assign(claims, { idtyp: 'app', oid, rh: `0.${opaque(32)}.`, sub: oid });
    if (input.roles?.length) claims.roles = input.roles;
  }
  Object.assign(claims, { tid: tenantId, uti: opaque(16), ver: version === 2 ? '2.0' : '1.0' });
  const header = version === 2
    ? { alg: 'RS256', typ: 'JWT', kid: ctx.key.kid }
    : { alg: 'RS256', typ: 'JWT', x5t: ctx.key.kid, kid: ctx.key.kid };
  const token = await new SignJWT(claims).setProtectedHeader(header).sign(ctx.key.privateKey);
  return { token, expiresIn, version };
}

export interface IdTokenInput {
  tenantId: string;
  client: App;
  user: User;
  nonce?: string | undefined;
  authTime: number;
  sid?: string | undefined;
  withProfile: boolean;
  withEmail: boolean;
}

/** A v2 id_token (the v2 endpoint always issues v2 id_tokens), lifetime 1 hour. */
export async function mintIdToken(ctx: TokenContext, input: IdTokenInput): Promise<string> {
  const now = Math.floor(ctx.clock.now() / 1000);
  const u = input.user;
  const claims: Record<string, unknown> = {
    aud: input.client.appId, iss: issuerV2(ctx.urls, input.tenantId), iat: now, nbf: now, exp: now + 3600,
    auth_time: Math.floor(input.authTime / 1000),
    ...(input.withProfile ? { name: u.displayName, preferred_username: u.username } : {}),
    ...(input.withEmail && u.email ? { email: u.email } : {}),
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    oid: u.id, rh: `0.${opaque(32)}.`,
    ...(input.sid ? { sid: input.sid } : {}),
    sub: pairwiseSub(input.tenantId, u.id, input.client.appId),
    tid: input.tenantId, uti: opaque(16), ver: '2.0',
  };
  return await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: ctx.key.kid }).sign(ctx.key.privateKey);
}

/** MSAL's `client_info`: base64url `{"uid":oid,"utid":tid}` (homeAccountId = `uid.utid`). */
export function clientInfo(userId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url');
}
