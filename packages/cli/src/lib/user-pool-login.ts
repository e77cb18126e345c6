import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { UserError } from '../command.ts';
import type { DevJson } from '../stack/dev-json.ts';

/** Signs a user in to the dev stack's user pool (USER_PASSWORD_AUTH, as the seed notebook does) and returns the access token. */
export async function userPoolAccessToken(d: DevJson, username: string, password?: string): Promise<string> {
  const known = d.userPool.users.find((u) => u.username === username);
  const pw = password ?? known?.password;
  if (pw === undefined) {
    throw new UserError(`Unknown user "${username}".`, `Use one of the demo users (${d.userPool.users.map((u) => u.username).join(', ')}) or pass --password for another user of pool ${d.userPool.poolId}.`);
  }
  const cognito = new CognitoIdentityProviderClient({ endpoint: d.userPool.endpoint, region: d.region, credentials: { accessKeyId: 'mandate-cli', secretAccessKey: 'unused' }, maxAttempts: 1 });
  try {
    const r = await cognito.send(new InitiateAuthCommand({ ClientId: d.userPool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: pw } }));
    const token = r.AuthenticationResult?.AccessToken;
    if (!token) throw new UserError(`The user pool asked ${username} for an extra step (${r.ChallengeName ?? 'unknown'}) that the CLI cannot do.`);
    return token;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NotAuthorizedException') throw new UserError(`Sign-in failed for ${username}: incorrect username or password.`, 'Check the password (dev.json lists the demo users\' passwords).');
    if (name === 'UserNotFoundException') throw new UserError(`Sign-in failed: user ${username} does not exist in pool ${d.userPool.poolId}.`);
    if (err instanceof UserError) throw err;
    throw new UserError(`Cannot reach the user pool at ${d.userPool.endpoint}: ${(err as Error).message}.`, 'Is `npm start` still running?');
  } finally {
    cognito.destroy();
  }
}
