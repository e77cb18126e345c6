/**
 * URL shapes. Endpoints live on the listening origin; issuers use the configurable `issuerHost` (v2:
 * `https://{issuerHost}/{tid}/v2.0`) and `stsHost` (v1: `https://{stsHost}/{tid}/`), reference §1.1, §2.1.
 */
export interface UrlConfig {
  /** `https://127.0.0.1:PORT` */
  base: string;
  issuerHost: string;
  stsHost: string;
}

export const issuerV2 = (c: UrlConfig, tid: string): string => `https://${c.issuerHost}/${tid}/v2.0`;
export const issuerV1 = (c: UrlConfig, tid: string): string => `https://${c.stsHost}/${tid}/`;
export const tokenEndpoint = (c: UrlConfig, tenant: string): string => `${c.base}/${tenant}/oauth2/v2.0/token`;
export const authorizeEndpoint = (c: UrlConfig, tenant: string): string => `${c.base}/${tenant}/oauth2/v2.0/authorize`;
export const interactionUrl = (c: UrlConfig, tid: string, uid: string): string => `${c.base}/${tid}/emulator/interaction/${uid}`;
export const deviceLoginUrl = (c: UrlConfig): string => `${c.base}/devicelogin`;

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Microsoft Graph's app id: bare scopes (`User.Read`) and OIDC-only requests target it. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
