import { z } from 'zod';
import { cognitoError } from '../errors.ts';
import { defaultPasswordPolicy, newPoolId, type PoolRecord } from '../model.ts';
import { newSigningKey } from '../keys.ts';
import { defineOperation, type UserPoolContext } from '../protocol.ts';
import { PoolIdSchema, poolDescription, poolShape } from '../shapes.ts';
import { dict } from '../state.ts';

const PasswordPolicyInput = z.object({
  MinimumLength: z.number().int().min(6).max(99).optional(),
  RequireUppercase: z.boolean().optional(),
  RequireLowercase: z.boolean().optional(),
  RequireNumbers: z.boolean().optional(),
  RequireSymbols: z.boolean().optional(),
  TemporaryPasswordValidityDays: z.number().int().min(0).max(365).optional(),
});

export type PasswordPolicyInput = z.infer<typeof PasswordPolicyInput>;

/** Creates a pool with its own RS256 key. Shared by the CreateUserPool operation and the seed. */
export async function createPool(ctx: UserPoolContext, name: string, policy: PasswordPolicyInput = {}): Promise<PoolRecord> {
  const now = ctx.state.clock.now();
  let id = newPoolId(ctx.region);
  while (Object.hasOwn(ctx.state.data.pools, id)) id = newPoolId(ctx.region);
  const pool: PoolRecord = {
    id,
    name,
    arn: `arn:aws:cognito-idp:${ctx.region}:${ctx.accountId}:userpool/${id}`,
    // A member sent without a value keeps the default (spreading it would overwrite the default with undefined).
    policy: { ...defaultPasswordPolicy, ...Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) },
    createdAt: now,
    modifiedAt: now,
    signingKey: await newSigningKey(),
    clients: dict(),
    users: dict(),
  };
  ctx.state.data.pools[id] = pool;
  await ctx.state.commit();
  return pool;
}

export const createUserPool = defineOperation({
  name: 'CreateUserPool',
  signed: true,
  input: z.object({
    PoolName: z.string().min(1).max(128).regex(/^[\w\s+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+'),
    Policies: z.object({ PasswordPolicy: PasswordPolicyInput.optional() }).optional(),
  }),
  async handle(ctx, input) {
    const pool = await createPool(ctx, input.PoolName, input.Policies?.PasswordPolicy);
    return { UserPool: poolShape(pool) };
  },
});

export const describeUserPool = defineOperation({
  name: 'DescribeUserPool',
  signed: true,
  input: z.object({ UserPoolId: PoolIdSchema }),
  async handle(ctx, input) {
    return { UserPool: poolShape(ctx.state.pool(input.UserPoolId)) };
  },
});

/** Pages are cut by pool id (stable, sortable); NextToken is the last id of the previous page. */
export const listUserPools = defineOperation({
  name: 'ListUserPools',
  signed: true,
  input: z.object({ MaxResults: z.number().int().min(1).max(60), NextToken: z.string().min(1).optional() }),
  async handle(ctx, input) {
    const all = Object.values(ctx.state.data.pools).sort((a, b) => (a.id < b.id ? -1 : 1));
    let start = 0;
    if (input.NextToken !== undefined) {
      const after = Buffer.from(input.NextToken, 'base64url').toString('utf8');
      if (!all.some((p) => p.id === after)) throw cognitoError('InvalidParameterException', 'The NextToken is not valid.');
      start = all.findIndex((p) => p.id === after) + 1;
    }
    const page = all.slice(start, start + input.MaxResults);
    const out: Record<string, unknown> = { UserPools: page.map(poolDescription) };
    if (start + input.MaxResults < all.length) out.NextToken = Buffer.from(page[page.length - 1]!.id).toString('base64url');
    return out;
  },
});
