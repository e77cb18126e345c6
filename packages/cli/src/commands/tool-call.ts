import type { Command } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { assertStackUp, loadDevJson } from '../lib/dev-json.ts';
import { connectGateway, devGateway } from '../lib/gateway-client.ts';
import { userPoolAccessToken } from '../lib/user-pool-login.ts';

const RETRY_MS = 3000;

/** `--arg city=Seattle` (repeatable as --arg a=1,b=2) or `--json '{"city":"Seattle"}'`. */
function toolArguments(json: string | undefined, arg: string | undefined): Record<string, unknown> {
  if (json !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch {
      throw new UserError('--json is not valid JSON.', 'Pass an object, e.g. --json \'{"city":"Seattle"}\'.');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UserError('--json must be a JSON object of the tool\'s arguments.');
    return v as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const pair of (arg ?? '').split(',').filter((x) => x !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--arg takes name=value pairs (got "${pair}").`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * `mandate tool call <tool> --user U`: calls a gateway tool over MCP as that user. When the user has
 * not consented yet, prints the consent link (the gateway's URL elicitation) and calls again every few
 * seconds until the consent is done or the timeout passes.
 */
export const toolCallCommand: Command = {
  name: 'tool call',
  summary: 'Call a tool of the MCP gateway as a user (prints the consent link when one is needed, then retries).',
  usage: 'mandate tool call weather___get_weather --user testuser1 [--arg city=Seattle | --json \'{"city":"Seattle"}\'] [--timeout 600] [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args);
    const tool = p.positionals[0];
    if (!tool) throw new UserError('Name the tool to call, e.g. mandate tool call weather___get_weather --user testuser1 --arg city=Seattle', 'List them with `mandate tools --user testuser1`.');
    const user = flagString(p, 'user');
    if (!user) throw new UserError('Name the user with --user (e.g. --user testuser1).');
    const timeoutS = Number(flagString(p, 'timeout') ?? '600');
    if (!Number.isFinite(timeoutS) || timeoutS < 1 || timeoutS > 600) throw new UserError('--timeout is in seconds, from 1 to 600 (a consent link lives 10 minutes).');
    const toolArgs = toolArguments(flagString(p, 'json'), flagString(p, 'arg'));
    const d = loadDevJson(io.cwd, io.env, flagString(p, 'data-dir'));
    await assertStackUp(d);
    const gw = devGateway(d);
    io.out(`Signing ${user} in to user pool ${d.userPool.poolId}...`);
    const session = await connectGateway(gw.gatewayUrl, await userPoolAccessToken(d, user, flagString(p, 'password')));
    try {
      io.out(`Calling ${tool} through gateway ${gw.name} as ${user}...`);
      const deadline = Date.now() + timeoutS * 1000;
      let asked = false;
      for (;;) {
        const r = await session.callTool(tool, toolArgs);
        if ('result' in r) {
          if (asked) io.out('Consent received.');
          for (const c of r.result.content) io.out(c.type === 'text' ? c.text : JSON.stringify(c));
          if (r.result.isError) throw new UserError(`The tool ${tool} answered with an error (above).`);
          return 0;
        }
        if (!asked) {
          asked = true;
          io.out('');
          io.out(r.message);
          io.out(`  ${r.consentUrl}`);
          io.out(`Sign in to Entra ID as the user whose data the tool should read, accept, then sign in as ${user} to confirm it is you.`);
          io.out(`Waiting for consent (up to ${timeoutS} s)...`);
        }
        if (Date.now() + RETRY_MS > deadline) throw new UserError(`No consent within ${timeoutS} s.`, 'Run the command again for a fresh link.');
        await new Promise((res) => setTimeout(res, RETRY_MS));
      }
    } finally {
      await session.close();
    }
  },
};
