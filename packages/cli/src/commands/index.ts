import type { Command } from '../command.ts';

/** Every `mandate` command; add a command by adding a file and one line here. */
export const commands: Command[] = [];
