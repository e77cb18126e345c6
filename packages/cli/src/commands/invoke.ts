import type { Command } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { assertStackUp, loadDevJson } from '../lib/dev-json.ts';
import { invokeAgent } from '../lib/invoke-agent.ts';
import { userPoolAccessToken } from '../lib/user-pool-login.ts';
import { WEATHER_AGENT } from '../stack/seed-setup.ts';

export const invokeCommand: Command = {
  name: 'invoke',
  summary: 'Sign a user in to the user pool and invoke an agent, streaming its events (consent URL included).',
  usage: 'mandate invoke "<prompt>" --user testuser1 [--password P] [--agent weather_agent] [--session ID] [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args);
    const prompt = p.positionals.join(' ').trim();
    if (!prompt) throw new UserError('Say what to ask the agent, e.g. mandate invoke "Weather in San Francisco?" --user testuser1');
    const user = flagString(p, 'user');
    if (!user) throw new UserError('Name the user who is asking with --user (e.g. --user testuser1).');
    const d = loadDevJson(io.cwd, io.env, flagString(p, 'data-dir'));
    await assertStackUp(d);
    io.out(`Signing ${user} in to user pool ${d.userPool.poolId}...`);
    const token = await userPoolAccessToken(d, user, flagString(p, 'password'));
    const agentName = flagString(p, 'agent') ?? WEATHER_AGENT;
    io.out(`Invoking ${agentName} as ${user}...`);
    let failed: string | undefined;
    let text = '';
    const sessionFlag = flagString(p, 'session');
    const result = await invokeAgent({
      d, agentName, prompt, bearerToken: token, ...(sessionFlag ? { sessionId: sessionFlag } : {}),
      onEvent: (e) => {
        if (e.event === 'auth_required') {
          const url = (JSON.parse(e.data) as { authorizationUrl: string }).authorizationUrl;
          io.out('');
          io.out(`${user} must consent before the agent can use their Entra ID token. Open this URL in a browser:`);
          io.out(`  ${url}`);
          io.out(`Sign in to Entra ID as the user whose data the agent should read, accept, then sign in as ${user} to confirm it is you.`);
          io.out('Waiting for consent (up to 10 minutes)...');
        } else if (e.event === 'authorized') {
          io.out('Consent received; the agent continues.');
        } else if (e.event === 'error') {
          try {
            failed = (JSON.parse(e.data) as { error?: string }).error ?? e.data;
          } catch {
            failed = e.data;
          }
        } else if (e.event === 'message') {
          try {
            const v = JSON.parse(e.data);
            if (typeof v === 'string') text += v;
          } catch {
            text += e.data;
          }
        }
      },
    });
    if (failed) throw new UserError(`The agent stopped: ${failed}`, /expired|timed out|consent/i.test(failed) ? 'Run the command again to get a fresh consent URL.' : undefined);
    io.out('');
    io.out(result.answer ?? text);
    io.out(`(session ${result.sessionId})`);
    return 0;
  },
};
