import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { BedrockAgentCoreClient, CompleteResourceTokenAuthCommand, GetWorkloadAccessTokenForUserIdCommand } from '@aws-sdk/client-bedrock-agentcore';
import { MandateIdentityClient, MandateSdkError, verifyEntraAccessToken } from '@mandate/sdk';
import type { Command } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { assertStackUp, loadDevJson } from '../lib/dev-json.ts';
import { startLocalReturn } from '../lib/local-return.ts';
import { readJsonFile, writeJsonFile } from '../stack/files.ts';
import { CLI_WORKLOAD, PROVIDER_NAME } from '../stack/seed-setup.ts';

/**
 * The seed notebook's Step 3 from a terminal: get a delegated Entra token for the local user through
 * USER_FEDERATION, print the consent URL, wait, then print the decoded (and locally verified) token.
 */
export const tokenGetCommand: Command = {
  name: 'token get',
  summary: "Get a user's delegated token through USER_FEDERATION (prints the consent URL, waits, prints the decoded token).",
  usage: 'mandate token get [--provider ms_entra_oauth_provider] --scope api://<appId>/read [--force] [--timeout 600] [--raw] [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args, ['force', 'raw']);
    const d = loadDevJson(io.cwd, io.env, flagString(p, 'data-dir'));
    const provider = flagString(p, 'provider') ?? PROVIDER_NAME;
    const scope = flagString(p, 'scope') ?? d.entra.apps[0]?.scopes[0];
    if (!scope) throw new UserError('Say which scope to ask for with --scope (e.g. api://<appId>/read).');
    const timeoutS = Number(flagString(p, 'timeout') ?? '600');
    if (!Number.isFinite(timeoutS) || timeoutS < 1 || timeoutS > 600) throw new UserError('--timeout is in seconds, from 1 to 600 (the consent URL lives 10 minutes).');
    await assertStackUp(d);

    // Like the Python SDK's .agentcore.json: one stable local user id per data directory.
    const userFile = join(d.dataDir, 'cli-user.json');
    let local = readJsonFile<{ userId: string }>(userFile);
    if (!local) writeJsonFile(userFile, (local = { userId: `cli-${randomUUID()}` }));
    const returnUrl = d.workloadIdentities.find((w) => w.name === CLI_WORKLOAD)?.allowedResourceOauth2ReturnUrls.find((u) => u.includes('/mandate-cli/return'));
    if (!returnUrl) throw new UserError(`The workload identity ${CLI_WORKLOAD} has no terminal return URL.`, 'Restart `npm start` so the seed setup adds it.');

    const clientConfig = { endpoint: d.identity.dataPlaneEndpoint, region: d.region, credentials: d.adminCredentials, maxAttempts: 1 };
    const data = new BedrockAgentCoreClient(clientConfig);
    const state = randomBytes(24).toString('base64url');
    const ret = await startLocalReturn(returnUrl, state, async (sessionUri) => {
      await data.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userId: local!.userId } }));
    });
    try {
      const wat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: CLI_WORKLOAD, userId: local.userId }))).workloadAccessToken!;
      const client = new MandateIdentityClient({ clientConfig, timeoutMs: timeoutS * 1000 });
      io.out(`Requesting a ${provider} token for scope ${scope} (workload ${CLI_WORKLOAD}, local user ${local.userId})...`);
      let token: string;
      try {
        token = await client.getOAuth2Token({
          providerName: provider, scopes: [scope], authFlow: 'USER_FEDERATION', workloadIdentityToken: wat,
          callbackUrl: returnUrl, customState: state, forceAuthentication: p.flags.force === true,
          onAuthUrl: (url) => {
            io.out('\nPlease open this URL in your browser, sign in to Entra ID and consent:');
            io.out(`  ${url}`);
            io.out(`Waiting up to ${timeoutS} seconds...`);
          },
        });
      } catch (err) {
        if (err instanceof MandateSdkError) {
          throw new UserError(`No token: ${err.message}`, err.code === 'authorization_timeout' ? 'Run the command again and complete the consent within the time limit.' : 'Run the command again to get a fresh consent URL.');
        }
        throw err;
      } finally {
        client.client.destroy();
      }
      io.out('Token is ready.');
      if (p.flags.raw === true) {
        io.out(token);
        return 0;
      }
      io.out('\nDecoded access token:');
      io.out(JSON.stringify({ header: decodeProtectedHeader(token), payload: decodeJwt(token) }, null, 2));
      if (provider === PROVIDER_NAME) {
        const app = d.entra.apps[0]!;
        await verifyEntraAccessToken(token, { tenantId: d.entra.tenantId, audience: app.clientId, authorityBase: d.entra.loginBaseUrl });
        io.out(`\nVerified locally: signature (tenant JWKS), issuer ${d.entra.loginBaseUrl}/${d.entra.tenantId}/v2.0, audience ${app.clientId}, tid.`);
      }
      return 0;
    } finally {
      data.destroy();
      await ret.close();
    }
  },
};
