import type { Command } from '../command.ts';
import { devCommand } from './dev.ts';
import { invokeCommand } from './invoke.ts';
import { tokenGetCommand } from './token-get.ts';
import { demoCommand } from './demo.ts';
import { serveCommand } from './serve.ts';
import { runtimeDeployCommand } from './runtime-deploy.ts';
import { gatewaysCommand } from './gateways.ts';
import { toolsCommand } from './tools.ts';
import { toolCallCommand } from './tool-call.ts';
import { keysCreateCommand, keysListCommand, keysRevokeCommand, keysRotateMasterCommand } from './keys.ts';

/** Every `mandate` command; add a command by adding a file and one line here. */
export const commands: Command[] = [
  devCommand,
  invokeCommand,
  tokenGetCommand,
  demoCommand,
  serveCommand,
  runtimeDeployCommand,
  gatewaysCommand,
  toolsCommand,
  toolCallCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  keysRotateMasterCommand,
];
