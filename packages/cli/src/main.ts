import { commands } from './commands/index.ts';
import { UserError, type CommandIo } from './command.ts';

/** Runs a `mandate` command line; returns the exit code. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.out('mandate: identity and runtime for AI agents (AgentCore-compatible).\n');
    io.out('Commands:');
    for (const c of commands) io.out(`  mandate ${c.name.padEnd(20)} ${c.summary}`);
    io.out('\nRun `mandate <command> --help` for details. Start here: `npm start` (= `mandate dev`).');
    return 0;
  }
  // Longest matching command name wins (`keys create` before `keys`).
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const c of sorted) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) {
      const rest = argv.slice(words.length);
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(`${c.summary}\n\nUsage: ${c.usage}`);
        return 0;
      }
      try {
        return await c.run(rest, io);
      } catch (err) {
        if (err instanceof UserError) {
          io.err(`mandate: ${err.message}`);
          if (err.hint) io.err(`  What to do: ${err.hint}`);
          return err.exitCode;
        }
        io.err(`mandate: unexpected failure: ${err instanceof Error ? err.message : String(err)}`);
        io.err('  What to do: re-run with MANDATE_LOG_LEVEL=debug and report the log if it persists.');
        return 70;
      }
    }
  }
  io.err(`mandate: unknown command "${argv.join(' ')}". Run \`mandate help\` for the list.`);
  return 64;
}

/** Entry point used by bin/mandate.js and `npm start`. */
export function startCli(argv: string[] = process.argv.slice(2)): void {
  const io: CommandIo = {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    env: process.env,
    cwd: process.cwd(),
  };
  runCli(argv, io).then(
    (code) => {
      // Long-running commands (dev) keep the event loop alive themselves.
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(String(err) + '\n');
      process.exitCode = 70;
    },
  );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1])) startCli();
