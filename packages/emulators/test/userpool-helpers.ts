import { createHmac } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/** The unmodified SDK client pointed at the emulator, with dummy credentials (the emulator does not verify them). */
export function sdkClient(url: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: 'us-west-2',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
}

/** Verifies a token the way a relying party does: discovery document → jwks_uri → signature + iss + exp. */
export async function verifyViaDiscovery(discoveryUrl: string, token: string, options: { currentDate?: Date; audience?: string } = {}): Promise<{ payload: JWTPayload; header: Record<string, unknown> }> {
  const res = await fetch(discoveryUrl);
  if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
  const doc = (await res.json()) as { issuer: string; jwks_uri: string };
  const jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: doc.issuer, algorithms: ['RS256'], ...options });
  return { payload, header: protectedHeader as Record<string, unknown> };
}

export const secretHash = (username: string, clientId: string, secret: string): string =>
  createHmac('sha256', secret).update(username + clientId).digest('base64');

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export async function failure(fn: () => Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const STRONG = 'Correct-Horse-9-battery';
