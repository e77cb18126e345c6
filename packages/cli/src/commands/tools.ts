import type { Command } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { assertStackUp, loadDevJson } from '../lib/dev-json.ts';
import { connectGateway, devGateway } from '../lib/gateway-client.ts';
import { userPoolAccessToken } from '../lib/user-pool-login.ts';

/** `mandate tools --user U`: the tools the dev stack's gateway offers that user, over MCP. */
export const toolsCommand: Command = {
  name: 'tools',
  summary: 'Sign a user in and list the tools of the MCP gateway, over MCP.',
  usage: 'mandate tools --user testuser1 [--password P] [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args);
    const user = flagString(p, 'user');
    if (!user) throw new UserError('Name the user with --user (e.g. --user testuser1).');
    const d = loadDevJson(io.cwd, io.env, flagString(p, 'data-dir'));
    await assertStackUp(d);
    const gw = devGateway(d);
    const session = await connectGateway(gw.gatewayUrl, await userPoolAccessToken(d, user, flagString(p, 'password')));
    try {
      for (const t of await session.listTools()) io.out(`${t.name}  ${t.description ?? ''}`.trimEnd());
      return 0;
    } finally {
      await session.close();
    }
  },
};
