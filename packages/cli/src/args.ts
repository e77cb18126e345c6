import { UserError } from './command.ts';

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

/** `--name value`, `--name=value`, `--flag` (boolean when listed in `booleans`). */
export function parseArgs(args: string[], booleans: string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (eq !== -1) flags[name] = a.slice(eq + 1);
      else if (booleans.includes(name)) flags[name] = true;
      else {
        const v = args[i + 1];
        if (v === undefined || v.startsWith('--')) throw new UserError(`Option --${name} needs a value.`);
        flags[name] = v;
        i++;
      }
    } else positionals.push(a);
  }
  return { positionals, flags };
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}
