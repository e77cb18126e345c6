import { createAccessKey, listAccessKeys, revokeAccessKey } from '@mandate/edge';
import { rotateMasterKey } from '@mandate/identity';
import { isMandateError } from '@mandate/core';
import type { Command } from '../command.ts';
import { UserError } from '../command.ts';
import { flagString, parseArgs } from '../args.ts';
import { withAdminContext } from '../lib/admin-context.ts';

const asUserError = (err: unknown): never => {
  if (isMandateError(err)) throw new UserError(err.message);
  throw err;
};

export const keysCreateCommand: Command = {
  name: 'keys create',
  summary: 'Create an access key (SigV4 credentials): --admin for both planes, or --workload NAME for one workload.',
  usage: 'mandate keys create (--admin | --workload NAME) [--allow-user-id] [--description TEXT] [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args, ['admin', 'allow-user-id']);
    const workload = flagString(p, 'workload');
    if ((p.flags.admin === true) === (workload !== undefined)) throw new UserError('Say what the key is for: --admin, or --workload <workload identity name>.');
    return withAdminContext(io, flagString(p, 'data-dir'), async (ctx) => {
      const description = flagString(p, 'description');
      const creds = await createAccessKey(ctx, {
        role: workload ? 'workload' : 'admin',
        ...(workload ? { workloadName: workload } : {}),
        allowUserIdTokens: p.flags['allow-user-id'] === true,
        ...(description ? { description } : {}),
      }).catch(asUserError);
      io.out(`Created ${workload ? `a workload key for ${workload}` : 'an admin key'} in ${ctx.where}.`);
      io.out(`AWS_ACCESS_KEY_ID=${creds.accessKeyId}`);
      io.out(`AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}`);
      io.out('The secret is shown only now: store it safely.');
      return 0;
    });
  },
};

export const keysListCommand: Command = {
  name: 'keys list',
  summary: 'List access keys (never their secrets).',
  usage: 'mandate keys list [--workload NAME] [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args);
    return withAdminContext(io, flagString(p, 'data-dir'), async (ctx) => {
      const workload = flagString(p, 'workload');
      const keys = await listAccessKeys(ctx, workload ? { workloadName: workload } : {});
      if (keys.length === 0) {
        io.out('No access keys. Create one with `mandate keys create --admin`.');
        return 0;
      }
      io.out(`${'ACCESS KEY ID'.padEnd(22)} ${'ROLE'.padEnd(9)} ${'STATUS'.padEnd(8)} ${'WORKLOAD'.padEnd(24)} CREATED`);
      for (const k of keys) {
        io.out(`${k.accessKeyId.padEnd(22)} ${k.role.padEnd(9)} ${k.status.padEnd(8)} ${(k.workloadName ?? '-').padEnd(24)} ${new Date(k.createdTime).toISOString()}`);
      }
      return 0;
    });
  },
};

export const keysRevokeCommand: Command = {
  name: 'keys revoke',
  summary: 'Revoke an access key; requests signed with it are refused from then on.',
  usage: 'mandate keys revoke <accessKeyId> [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args);
    const id = p.positionals[0];
    if (!id) throw new UserError('Name the key to revoke: mandate keys revoke <accessKeyId> (see `mandate keys list`).');
    return withAdminContext(io, flagString(p, 'data-dir'), async (ctx) => {
      await revokeAccessKey(ctx, id).catch(asUserError);
      io.out(`Revoked ${id}. Servers stop accepting it within their key-cache lifetime (PostgreSQL deployments: at once).`);
      return 0;
    });
  },
};

export const keysRotateMasterCommand: Command = {
  name: 'keys rotate-master',
  summary: 'Rotate the master key: add a new version, re-wrap every data key under it, retire the old one. No downtime.',
  usage: 'mandate keys rotate-master [--data-dir DIR]',
  async run(args, io) {
    const p = parseArgs(args);
    return withAdminContext(io, flagString(p, 'data-dir'), async (ctx) => {
      io.out(`Rotating the master key of ${ctx.where}...`);
      let n = 0;
      const report = await rotateMasterKey(ctx.store, ctx.keyProvider, {
        onRewrapped: () => {
          n++;
          if (n % 100 === 0) io.out(`  re-wrapped ${n} data keys...`);
        },
      }).catch(asUserError);
      io.out(`${report.addedVersion ? 'Added' : 'Resumed the unfinished rotation to'} master key ${report.masterKeyId}; re-wrapped ${report.rewrapped} data keys.`);
      if (report.retired.length > 0) io.out(`Retired old master key versions: ${report.retired.join(', ')}.`);
      if (report.failed.length > 0) {
        io.err(`${report.failed.length} data keys could not be unwrapped and were left as they are: ${report.failed.join(', ')}.`);
        io.err('  What to do: restore the master key version that wraps them (MANDATE_MASTER_KEY_PREVIOUS or the old master.key), then run this again.');
        return 1;
      }
      return 0;
    });
  },
};
