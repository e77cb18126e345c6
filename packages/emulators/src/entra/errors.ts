/**
 * Entra's error table and wire shapes (reference entra-id.md §3.3-3.4). Token-endpoint errors are JSON
 * with `error_codes`, `trace_id`, `correlation_id`, `timestamp` and an `AADSTSnnnn:` description;
 * /authorize errors go to the redirect URI; bad client or redirect URI is an HTML error page.
 * This is the emulator's wire format for Microsoft's errors, so it has its own type rather than
 * MandateError (whose codes map to AWS shapes).
 */
import { randomUUID } from 'node:crypto';

interface Entry {
  error: string;
  status: number;
  text: string;
}

/** AADSTS code → OAuth `error`, HTTP status and Microsoft's message text. */
export const AADSTS: Record<number, Entry> = {
  900144: { error: 'invalid_request', status: 400, text: "The request body must contain the following parameter: '{0}'." },
  900023: { error: 'invalid_request', status: 400, text: "Specified tenant identifier '{0}' is neither a valid DNS name, nor a valid external domain." },
  90002: { error: 'invalid_request', status: 400, text: "Tenant '{0}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud." },
  90014: { error: 'invalid_request', status: 400, text: "The required field '{0}' is missing from the credential. Ensure that you have all the necessary parameters for the login request." },
  9001023: { error: 'invalid_request', status: 400, text: "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint." },
  70003: { error: 'unsupported_grant_type', status: 400, text: "The app requested an unsupported grant type '{0}'." },
  7000215: { error: 'invalid_client', status: 401, text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'." },
  7000222: { error: 'invalid_client', status: 401, text: "The provided client secret keys for app '{0}' are expired. Visit the Azure portal to create new keys for your app." },
  7000218: { error: 'invalid_client', status: 401, text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." },
  700025: { error: 'invalid_client', status: 401, text: 'Client is public so neither \'client_assertion\' nor \'client_secret\' should be presented.' },
  700027: { error: 'invalid_client', status: 401, text: 'Client assertion failed signature validation. {0}' },
  700023: { error: 'invalid_client', status: 401, text: 'Client assertion audience claim does not match Realm issuer. {0}' },
  700024: { error: 'invalid_client', status: 401, text: 'Client assertion is not within its valid time range. {0}' },
  // Emulator-chosen code (no documented Entra equivalent): a client assertion's jti seen twice (RFC 7523 §3 item 7).
  7000274: { error: 'invalid_client', status: 401, text: 'Client assertion has already been used (jti replay).' },
  700016: { error: 'unauthorized_client', status: 400, text: "Application with identifier '{0}' was not found in the directory '{1}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant." },
  50011: { error: 'invalid_request', status: 400, text: "The redirect URI '{0}' specified in the request does not match the redirect URIs configured for the application '{1}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal." },
  50194: { error: 'invalid_request', status: 400, text: "Application '{0}' is not configured as a multi-tenant application." },
  54005: { error: 'invalid_grant', status: 400, text: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.' },
  70008: { error: 'invalid_grant', status: 400, text: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.' },
  70000: { error: 'invalid_grant', status: 400, text: 'Provided grant is invalid or malformed. {0}' },
  9002313: { error: 'invalid_request', status: 400, text: 'Invalid request. Request is malformed or invalid. {0}' },
  501481: { error: 'invalid_grant', status: 400, text: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.' },
  50148: { error: 'invalid_grant', status: 400, text: 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.' },
  65001: { error: 'invalid_grant', status: 400, text: "The user or administrator has not consented to use the application with ID '{0}' named '{1}'. Send an interactive authorization request for this user and resource." },
  90094: { error: 'consent_required', status: 400, text: "The grant requires admin permission. '{0}' asks for permissions that only an administrator can grant (adminConsentRequired)." },
  65004: { error: 'access_denied', status: 400, text: 'User declined to consent to access the app.' },
  50058: { error: 'login_required', status: 400, text: 'A silent sign-in request was sent but no user is signed in.' },
  50126: { error: 'invalid_grant', status: 400, text: 'Error validating credentials due to invalid username or password.' },
  70011: { error: 'invalid_scope', status: 400, text: "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' isn't valid. {0}" },
  28002: { error: 'invalid_scope', status: 400, text: "Provided value for the input parameter scope '{0}' is not valid when requesting an access token. Please specify a valid scope." },
  28003: { error: 'invalid_scope', status: 400, text: "Provided value for the input parameter scope cannot be empty when requesting an access token using the provided authorization code. Please specify a valid scope." },
  700022: { error: 'invalid_scope', status: 400, text: "The provided value for the input parameter scope isn't valid because it contains more than one resource. Scope {0} is not valid." },
  1002012: { error: 'invalid_scope', status: 400, text: "The provided value for scope {0} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)." },
  9010010: { error: 'invalid_target', status: 400, text: "The resource parameter provided in the request doesn't match with the requested scopes: '{0}' is not the Application ID URI of the app the scopes belong to." },
  500011: { error: 'invalid_resource', status: 400, text: "The resource principal named {0} was not found in the tenant named {1}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant." },
  650053: { error: 'invalid_scope', status: 400, text: "The application '{0}' asked for scope '{1}' that doesn't exist on the resource '{2}'." },
  50013: { error: 'invalid_grant', status: 400, text: 'Assertion failed signature validation or is not valid for this client. {0}' },
  500133: { error: 'invalid_grant', status: 400, text: 'Assertion isn\'t within its valid time range. Ensure that the access token isn\'t expired before using it for user assertion, or request a new token.' },
  70016: { error: 'authorization_pending', status: 400, text: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.' },
  70019: { error: 'expired_token', status: 400, text: 'Verification code expired.' },
  70020: { error: 'authorization_declined', status: 400, text: 'The end user denied the authorization request.' },
  70018: { error: 'bad_verification_code', status: 400, text: 'Invalid verification code due to user typing in wrong user code for device code flow.' },
  70005: { error: 'unsupported_response_type', status: 400, text: "response_type '{0}' is not enabled for the client." },
  900561: { error: 'invalid_request', status: 400, text: 'The endpoint only accepts {0} requests. Received a {1} request.' },
  90023: { error: 'invalid_request', status: 400, text: 'The request body must be application/x-www-form-urlencoded. {0}' },
  500021: { error: 'invalid_request', status: 400, text: 'The request body is larger than the emulator accepts.' },
};

export class EntraError extends Error {
  readonly aadsts: number;
  readonly error: string;
  readonly status: number;
  readonly suberror: string | undefined;

  constructor(aadsts: number, args: string[] = [], options: { suberror?: string; error?: string; status?: number } = {}) {
    const entry = AADSTS[aadsts] ?? { error: 'invalid_request', status: 400, text: 'Unknown error.' };
    super(entry.text.replace(/\{(\d)\}/g, (_, i: string) => args[Number(i)] ?? ''));
    this.aadsts = aadsts;
    this.error = options.error ?? entry.error;
    this.status = options.status ?? entry.status;
    this.suberror = options.suberror;
  }
}

/** Entra's timestamp format: `2016-01-09 02:02:12Z`. */
export function entraTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export interface ErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
}

/** The JSON body of a token/devicecode error. `correlationId` echoes the client's `client-request-id`. */
export function errorBody(err: EntraError, now: number, correlationId?: string): ErrorBody {
  const trace = randomUUID();
  const corr = correlationId && /^[0-9a-fA-F-]{36}$/.test(correlationId) ? correlationId : randomUUID();
  const ts = entraTimestamp(now);
  const body: ErrorBody = {
    error: err.error,
    error_description: `${describe(err)}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${corr}\r\nTimestamp: ${ts}`,
    error_codes: [err.aadsts],
    timestamp: ts,
    trace_id: trace,
    correlation_id: corr,
    error_uri: `https://login.microsoftonline.com/error?code=${err.aadsts}`,
  };
  if (err.suberror) body.suberror = err.suberror;
  return body;
}

export function describe(err: EntraError): string {
  return `AADSTS${err.aadsts}: ${err.message}`;
}

/** The description sent to a redirect URI (no `error_codes` array there). */
export function redirectDescription(err: EntraError, now: number): string {
  return `${describe(err)}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${entraTimestamp(now)}`;
}
