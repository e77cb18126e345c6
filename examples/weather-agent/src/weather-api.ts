/**
 * A small in-process "weather API": the protected resource the user's Entra token is for.
 *
 * It checks the token the way a resource server would (signature when a JWKS is configured; always
 * expiry, the delegated scope and the user's `oid`) and answers with a deterministic forecast that
 * names the user it was served to, so a demo can prove each user's answer used that user's token.
 */
import { createHash } from 'node:crypto';
import { checkTimes, decodeJwt, TokenRejectedError, type Claims, type JwtVerifier } from './jwt-check.ts';

export interface WeatherReport {
  readonly city: string;
  readonly condition: string;
  readonly temperatureC: number;
  readonly windKph: number;
  /** Whose token was used: the Entra object id and sign-in name from the access token. */
  readonly checkedFor: { readonly oid: string; readonly preferredUsername: string | null };
  /** true when the signature was verified against the issuer's JWKS; false when only decoded. */
  readonly tokenVerified: boolean;
}

export interface WeatherApi {
  forecast(city: string, accessToken: string): Promise<WeatherReport>;
}

export interface WeatherApiOptions {
  /** Verify signatures (recommended). Without it the token is decoded and its claims checked only. */
  readonly verifier?: JwtVerifier | undefined;
  /** Delegated scope the token must carry in `scp`, as its short name (`read` for `api://<app>/read`). */
  readonly requiredScope?: string | undefined;
  readonly now?: () => number;
}

const CONDITIONS = ['sunny', 'partly cloudy', 'foggy', 'light rain', 'windy', 'clear'] as const;

/** The same city always gets the same forecast, so tests and demos can assert exact answers. */
export function forecastFor(city: string): { condition: string; temperatureC: number; windKph: number } {
  const digest = createHash('sha256').update(city.trim().toLowerCase()).digest();
  return {
    condition: CONDITIONS[digest[0]! % CONDITIONS.length]!,
    temperatureC: 8 + (digest[1]! % 22),
    windKph: 5 + (digest[2]! % 30),
  };
}

/** Short scope name as Entra writes it into `scp` (RFC 8693 §4.2 space-separated list). */
export function scopeShortName(scope: string): string {
  const slash = scope.lastIndexOf('/');
  return slash >= 0 ? scope.slice(slash + 1) : scope;
}

export function createWeatherApi(options: WeatherApiOptions = {}): WeatherApi {
  const now = options.now ?? Date.now;
  return {
    async forecast(city, accessToken) {
      let claims: Claims;
      if (options.verifier) {
        claims = await options.verifier.verify(accessToken);
      } else {
        claims = decodeJwt(accessToken).claims;
        checkTimes(claims, Math.floor(now() / 1000));
      }
      if (options.requiredScope !== undefined) {
        const granted = typeof claims['scp'] === 'string' ? claims['scp'].split(' ') : [];
        if (!granted.includes(options.requiredScope)) throw new TokenRejectedError(`scope ${options.requiredScope} not granted`);
      }
      const oid = claims['oid'];
      if (typeof oid !== 'string' || oid === '') throw new TokenRejectedError('no oid claim (not a user token)');
      const username = claims['preferred_username'];
      return {
        city,
        ...forecastFor(city),
        checkedFor: { oid, preferredUsername: typeof username === 'string' ? username : null },
        tokenVerified: options.verifier !== undefined,
      };
    },
  };
}
