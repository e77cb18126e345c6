import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand,
  GetOauth2CredentialProviderCommand, GetWorkloadIdentityCommand, ListAgentRuntimesCommand, UpdateWorkloadIdentityCommand,
  type GetOauth2CredentialProviderCommandOutput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { EntraEmulator, EntraSeed, UserPoolEmulator } from '@mandate/emulators';
import type { DevJson } from './dev-json.ts';

export const PROVIDER_NAME = 'ms_entra_oauth_provider';
export const CLI_WORKLOAD = 'mandate-cli';
export const WEATHER_AGENT = 'weather_agent';

const here = dirname(fileURLToPath(import.meta.url));
export const WEATHER_AGENT_DIR = resolve(here, '..', '..', '..', '..', 'examples', 'weather-agent');

export interface SeedSetupInput {
  mandateUrl: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  entra: EntraEmulator;
  entraSeed: EntraSeed;
  userPool: UserPoolEmulator;
  /** A loopback URL the CLI listens on to complete `mandate token get` (registered on the CLI workload). */
  cliReturnUrl: string;
  withWeatherAgent: boolean;
  progress(line: string): void;
}

export interface SeedSetupResult {
  provider: { name: string; vendor: string; callbackUrl: string; credentialProviderArn: string };
  workloads: DevJson['workloadIdentities'];
  agents: DevJson['runtime']['agents'];
}

const isNotFound = (err: unknown) => (err as { name?: string }).name === 'ResourceNotFoundException';

/**
 * The seed notebook's setup, done the way a user would do it: through Mandate's AWS-compatible
 * control plane with the official client, and in the Entra "portal" (the emulator's directory) for
 * the redirect URI. Idempotent: a second `npm start` finds everything in place.
 */
export async function applySeedSetup(input: SeedSetupInput): Promise<SeedSetupResult> {
  const control = new BedrockAgentCoreControlClient({ endpoint: input.mandateUrl, region: input.region, credentials: input.credentials, maxAttempts: 1 });
  const tenant = input.entraSeed.tenants[0]!;
  const app = tenant.apps?.[0];
  if (!app) throw new Error("The Entra seed has no app registration.");
  try {
    // Step 2 of the notebook: the credential provider for the Entra app registration.
    let provider: GetOauth2CredentialProviderCommandOutput | undefined;
    try {
      provider = await control.send(new GetOauth2CredentialProviderCommand({ name: PROVIDER_NAME }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!provider) {
      input.progress(`creating credential provider ${PROVIDER_NAME} (MicrosoftOauth2, tenant ${tenant.id})`);
      await control.send(new CreateOauth2CredentialProviderCommand({
        name: PROVIDER_NAME,
        credentialProviderVendor: 'MicrosoftOauth2',
        oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: app.appId, clientSecret: app.clientSecrets?.[0]?.value, tenantId: tenant.id } },
      }));
      provider = await control.send(new GetOauth2CredentialProviderCommand({ name: PROVIDER_NAME }));
    }
    const callbackUrl = provider.callbackUrl!;
    // As in the Entra portal: register Mandate's callback URL as a redirect URI of the app.
    input.entra.directory.addRedirectUri(tenant.id, app.appId, callbackUrl);

    // A workload identity for the terminal (`mandate token get`), returning to the CLI's loopback page.
    const returnPage = `${input.mandateUrl}/identities/oauth2/return`;
    const cliUrls = [input.cliReturnUrl, returnPage];
    try {
      const w = await control.send(new GetWorkloadIdentityCommand({ name: CLI_WORKLOAD }));
      const have = new Set(w.allowedResourceOauth2ReturnUrls ?? []);
      if (cliUrls.some((u) => !have.has(u))) await control.send(new UpdateWorkloadIdentityCommand({ name: CLI_WORKLOAD, allowedResourceOauth2ReturnUrls: cliUrls }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      input.progress(`creating workload identity ${CLI_WORKLOAD}`);
      await control.send(new CreateWorkloadIdentityCommand({ name: CLI_WORKLOAD, allowedResourceOauth2ReturnUrls: cliUrls }));
    }
    const workloads: DevJson['workloadIdentities'] = [{ name: CLI_WORKLOAD, allowedResourceOauth2ReturnUrls: cliUrls }];

    // As in the Cognito console: the built-in return page signs users in again through the user pool's
    // hosted sign-in, so its login URL must be a callback URL of the app client (idempotent).
    const demoPool = input.userPool.poolByName('DemoUserPool')!;
    const demoClient = demoPool.clients.find((c) => c.clientName === 'DemoClient') ?? demoPool.clients[0]!;
    await input.userPool.addCallbackUrl(demoPool.id, demoClient.clientId, `${returnPage}/login`);

    // Step 4: the weather agent on the runtime, behind the user pool's JWT authorizer.
    const agents: DevJson['runtime']['agents'] = [];
    if (input.withWeatherAgent) {
      const pool = input.userPool.poolByName('DemoUserPool')!;
      const clientId = pool.clients[0]!.clientId;
      const existing = (await control.send(new ListAgentRuntimesCommand({ maxResults: 100 }))).agentRuntimes?.find((r) => r.agentRuntimeName === WEATHER_AGENT);
      let id = existing?.agentRuntimeId;
      let arn = existing?.agentRuntimeArn;
      if (!existing) {
        input.progress(`deploying ${WEATHER_AGENT} from ${WEATHER_AGENT_DIR} behind the user pool's JWT authorizer`);
        const created = await control.send(new CreateAgentRuntimeCommand({
          agentRuntimeName: WEATHER_AGENT,
          description: "The seed notebook's weather agent (Strands + bedrock-agentcore), Entra 3LO through Mandate",
          agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: WEATHER_AGENT_DIR } }, runtime: 'NODE_22', entryPoint: ['src/main.ts'] } },
          roleArn: `arn:aws:iam::000000000000:role/MandateLocalAgent`,
          networkConfiguration: { networkMode: 'PUBLIC' },
          protocolConfiguration: { serverProtocol: 'HTTP' },
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: pool.discoveryUrl, allowedClients: [clientId] } },
          environmentVariables: {
            WEATHER_SCOPE: `api://${app.appId}/read`,
            WEATHER_PROVIDER_NAME: PROVIDER_NAME,
            WEATHER_API_ISSUER: `${input.entra.url}/${tenant.id}/v2.0`,
            WEATHER_API_JWKS_URI: `${input.entra.url}/${tenant.id}/discovery/v2.0/keys`,
            WEATHER_API_AUDIENCE: app.appId,
            LOG_LEVEL: 'warn',
          },
          lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
        }));
        id = created.agentRuntimeId;
        arn = created.agentRuntimeArn;
      }
      agents.push({ name: WEATHER_AGENT, agentRuntimeId: id!, agentRuntimeArn: arn! });
    }
    return {
      provider: { name: PROVIDER_NAME, vendor: 'MicrosoftOauth2', callbackUrl, credentialProviderArn: provider.credentialProviderArn! },
      workloads,
      agents,
    };
  } finally {
    control.destroy();
  }
}

export const weatherAgentPath = (...p: string[]) => join(WEATHER_AGENT_DIR, ...p);
