import { BedrockAgentCoreControlClient, ListGatewaysCommand, ListGatewayTargetsCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import type { Command } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { assertStackUp, loadDevJson } from '../lib/dev-json.ts';

/** `mandate gateways`: every gateway with its MCP URL and targets, through the official control client. */
export const gatewaysCommand: Command = {
  name: 'gateways',
  summary: 'List the MCP gateways, their URLs and targets.',
  usage: 'mandate gateways [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args);
    const d = loadDevJson(io.cwd, io.env, flagString(p, 'data-dir'));
    await assertStackUp(d);
    const control = new BedrockAgentCoreControlClient({ endpoint: d.runtime.controlPlaneEndpoint, region: d.region, credentials: d.adminCredentials, maxAttempts: 1 });
    try {
      const gateways = (await control.send(new ListGatewaysCommand({ maxResults: 100 }))).items ?? [];
      if (gateways.length === 0) io.out('No gateways. Create one with CreateGateway (any AgentCore control client), or restart `npm start` for the seed\'s weather gateway.');
      for (const g of gateways) {
        io.out(`${g.name}  ${g.status}  ${d.runtime.dataPlaneEndpoint}/gateways/${g.gatewayId}/mcp`);
        const targets = (await control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: g.gatewayId!, maxResults: 100 }))).items ?? [];
        for (const t of targets) io.out(`  target ${t.name}  ${t.status}  (${t.targetId})`);
      }
      return 0;
    } finally {
      control.destroy();
    }
  },
};
