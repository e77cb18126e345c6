import type { Command } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { startDevStack } from '../stack/dev-stack.ts';
import type { DevJson } from '../stack/dev-json.ts';

export function summary(d: DevJson, devJsonPath: string): string[] {
  const pool = d.userPool;
  const agent = d.runtime.agents[0];
  return [
    '',
    'Mandate is running (local dev stack, loopback only):',
    `  Mandate (identity, runtime, gateway)  ${d.identity.controlPlaneEndpoint}`,
    `  Entra ID emulator                     ${d.entra.loginBaseUrl}   tenant ${d.entra.tenantId}`,
    `  User-pool emulator                    ${pool.endpoint}   pool ${pool.poolId}, client ${pool.clientId}`,
    '',
    'Seed setup:',
    ...d.credentialProviders.map((p) => `  credential provider ${p.name} (${p.vendor}), callbackUrl ${p.callbackUrl}`),
    ...d.entra.apps.map((a) => `  Entra app "${a.name}" ${a.clientId}, scope ${a.scopes.join(' ')}`),
    ...(agent ? [`  agent runtime ${agent.name}: ${agent.agentRuntimeArn}`] : []),
    ...(d.gateway ? [`  MCP gateway ${d.gateway.name}: ${d.gateway.gatewayUrl} → ${d.gateway.mcpServerUrl}`] : []),
    '',
    'Demo users:',
    ...d.entra.users.map((u) => `  Entra      ${u.username}  password ${u.password}`),
    ...pool.users.map((u) => `  user pool  ${u.username}  password ${u.password}`),
    '',
    `Every URL and credential is in ${devJsonPath} (fields: docs/dev-json.md).`,
    'Try next, in another terminal:',
    '  npx mandate invoke "Weather in San Francisco?" --user testuser1',
    '  npx mandate token get --provider ms_entra_oauth_provider --scope ' + (d.entra.apps[0]?.scopes[0] ?? 'api://<appId>/read'),
    ...(d.gateway ? ['  npx mandate tool call weather___get_weather --user testuser1 --arg city=Seattle', `  connect a desktop MCP client to ${d.gateway.gatewayUrl} (docs/mcp.md)`] : []),
    '  npm run demo',
    `Use the AWS SDKs: AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=${d.identity.dataPlaneEndpoint} AWS_REGION=${d.region} and the admin key from dev.json.`,
    '',
    'Press Ctrl-C to stop.',
  ];
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'Start the local stack: Entra ID + user-pool emulators, identity service and runtime, with the seed setup.',
  usage: 'mandate dev [--port 7600] [--data-dir .mandate] [--no-agent]',
  async run(args, io) {
    const p = parseArgs(args, ['no-agent']);
    const portText = flagString(p, 'port') ?? io.env.MANDATE_PORT ?? '7600';
    const basePort = Number(portText);
    if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65532) throw new UserError(`--port must be a port number between 1 and 65532 (got "${portText}").`);
    const dataDir = flagString(p, 'data-dir');
    const stack = await startDevStack({
      env: io.env,
      cwd: io.cwd,
      basePort,
      ...(dataDir ? { dataDir } : {}),
      withWeatherAgent: p.flags['no-agent'] !== true,
      progress: (l) => io.out(l),
    });
    // Handlers first, then the summary that tells the user (or a script) Ctrl-C works: a signal sent on
    // reading "Press Ctrl-C" must never meet Node's default handler, which would skip the clean stop.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        io.out('\nStopping...');
        stack.close().then(resolve, resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    for (const line of summary(stack.devJson, stack.devJsonPath)) io.out(line);
    await stopped;
    io.out('Stopped. State is kept in the data directory; `npm start` resumes it.');
    return 0;
  },
};
