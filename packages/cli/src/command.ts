/** One CLI command = one file in commands/ exporting a Command, plus one line in commands/index.ts. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Environment (tests pass their own). */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  /** e.g. `dev`, `keys create`, `runtime deploy`. */
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** A failure the user can act on: printed as one line plus what to do next, exit code 1 (or `exitCode`). */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, hint?: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.hint = hint;
    this.exitCode = exitCode;
  }
}
