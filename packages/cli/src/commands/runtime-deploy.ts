import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, ListAgentRuntimesCommand, UpdateAgentRuntimeCommand,
  type AuthorizerConfiguration, type CreateAgentRuntimeCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { Command, CommandIo } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { loadDevJson } from '../lib/dev-json.ts';

function target(io: CommandIo, dataDir: string | undefined) {
  // Explicit AWS-style configuration wins; otherwise the local stack's dev.json.
  const endpoint = io.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL ?? io.env.AWS_ENDPOINT_URL;
  if (endpoint && io.env.AWS_ACCESS_KEY_ID && io.env.AWS_SECRET_ACCESS_KEY) {
    return { endpoint, region: io.env.AWS_REGION ?? 'us-west-2', credentials: { accessKeyId: io.env.AWS_ACCESS_KEY_ID, secretAccessKey: io.env.AWS_SECRET_ACCESS_KEY } };
  }
  const d = loadDevJson(io.cwd, io.env, dataDir);
  return { endpoint: d.runtime.controlPlaneEndpoint, region: d.region, credentials: d.adminCredentials };
}

/** `mandate runtime deploy <dir>`: deploys (or updates) local agent code as an AgentCore runtime (docs/runtime.md). */
export const runtimeDeployCommand: Command = {
  name: 'runtime deploy',
  summary: 'Deploy a local agent directory as an agent runtime (create, or update with a new version).',
  usage: 'mandate runtime deploy <dir> --name NAME [--entry main.ts] [--discovery-url URL (--allowed-client ID | --allowed-audience A)...] [--env KEY=VALUE]... [--data-dir DIR]',
  async run(args, io) {
    // Repeatable options are collected by hand; parseArgs keeps the last value.
    const repeated = (name: string) => args.flatMap((a, i) => (a === `--${name}` && args[i + 1] ? [args[i + 1]!] : []));
    const p = parseArgs(args);
    const dirArg = p.positionals[0];
    if (!dirArg) throw new UserError('Name the directory to deploy: mandate runtime deploy ./my-agent --name my_agent');
    const dir = resolve(io.cwd, dirArg);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir} is not a directory.`);
    const name = flagString(p, 'name');
    if (!name || !/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/.test(name)) throw new UserError('--name must start with a letter and use letters, digits and _ (at most 48), e.g. --name my_agent.');
    const entry = flagString(p, 'entry') ?? 'main.ts';
    if (!existsSync(resolve(dir, entry))) throw new UserError(`The entry point ${entry} does not exist in ${dir}.`, 'Pass --entry with the script that starts the agent (it must listen on $PORT).');
    const env: Record<string, string> = {};
    for (const kv of repeated('env')) {
      const i = kv.indexOf('=');
      if (i < 1) throw new UserError(`--env takes KEY=VALUE (got "${kv}").`);
      env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    const discoveryUrl = flagString(p, 'discovery-url');
    const clients = repeated('allowed-client');
    const audiences = repeated('allowed-audience');
    let authorizer: AuthorizerConfiguration | undefined;
    if (discoveryUrl) {
      if (clients.length === 0 && audiences.length === 0) throw new UserError('With --discovery-url, say who may call: --allowed-client ID or --allowed-audience A.');
      authorizer = { customJWTAuthorizer: { discoveryUrl, ...(clients.length ? { allowedClients: clients } : {}), ...(audiences.length ? { allowedAudience: audiences } : {}) } };
    }
    const t = target(io, flagString(p, 'data-dir'));
    const control = new BedrockAgentCoreControlClient({ ...t, maxAttempts: 1 });
    try {
      const spec: Omit<CreateAgentRuntimeCommandInput, 'agentRuntimeName'> = {
        agentRuntimeArtifact: { codeConfiguration: { code: { s3: { bucket: 'mandate-local', prefix: dir } }, runtime: 'NODE_22', entryPoint: [entry] } },
        roleArn: 'arn:aws:iam::000000000000:role/MandateLocalAgent',
        networkConfiguration: { networkMode: 'PUBLIC' },
        protocolConfiguration: { serverProtocol: 'HTTP' },
        ...(authorizer ? { authorizerConfiguration: authorizer } : {}),
        ...(Object.keys(env).length ? { environmentVariables: env } : {}),
      };
      io.out(`Deploying ${dir} (${entry}) as runtime ${name} on ${t.endpoint}...`);
      const existing = (await control.send(new ListAgentRuntimesCommand({ maxResults: 100 }))).agentRuntimes?.find((r) => r.agentRuntimeName === name);
      const r = existing
        ? await control.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: existing.agentRuntimeId!, ...spec }))
        : await control.send(new CreateAgentRuntimeCommand({ agentRuntimeName: name, ...spec }));
      io.out(`${existing ? 'Updated' : 'Created'} ${r.agentRuntimeArn} (version ${r.agentRuntimeVersion}, ${r.status}).`);
      io.out(`Invoke it: POST ${t.endpoint}/runtimes/${encodeURIComponent(r.agentRuntimeArn!)}/invocations${authorizer ? ' with Authorization: Bearer <token>' : ' signed with SigV4 (InvokeAgentRuntime)'}.`);
      return 0;
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new UserError(`Deploy failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
    } finally {
      control.destroy();
    }
  },
};
