import { z } from 'zod';
import { uuid } from '@mandate/core';
import { cognitoError } from '../errors.ts';
import type { PoolRecord, UserRecord } from '../model.ts';
import { checkPasswordPolicy, generatePassword, hashPassword } from '../passwords.ts';
import { defineOperation, type UserPoolContext } from '../protocol.ts';
import { attributeList, AttributesSchema, PasswordSchema, PoolIdSchema, ts, UsernameSchema, userShape } from '../shapes.ts';

/** The standard attributes of every Cognito pool (OIDC Core §5.1 claims); others must be `custom:`. */
const STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name',
  'nickname', 'phone_number', 'phone_number_verified', 'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
]);

function toAttributes(list: Array<{ Name: string; Value?: string | undefined }> = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Name, Value } of list) {
    if (Name === 'sub') throw cognitoError('InvalidParameterException', 'Cannot modify the non-mutable attribute sub');
    if (!STANDARD_ATTRIBUTES.has(Name) && !Name.startsWith('custom:')) {
      throw cognitoError('InvalidParameterException', `Attributes did not conform to the schema: ${Name}: Attribute does not exist in the schema.`);
    }
    if ((Name === 'email_verified' || Name === 'phone_number_verified') && Value !== 'true' && Value !== 'false') {
      throw cognitoError('InvalidParameterException', `Attributes did not conform to the schema: ${Name}: must be "true" or "false".`);
    }
    out[Name] = Value ?? '';
  }
  return out;
}

/** Sets a password on a user (permanent → CONFIRMED, temporary → FORCE_CHANGE_PASSWORD). Also used by the seed. */
export async function setPassword(ctx: UserPoolContext, pool: PoolRecord, user: UserRecord, password: string, permanent: boolean): Promise<void> {
  checkPasswordPolicy(password, pool.policy);
  user.passwordHash = await hashPassword(password);
  user.status = permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
  const now = ctx.state.clock.now();
  if (permanent) delete user.temporaryPasswordSetAt;
  else user.temporaryPasswordSetAt = now;
  user.modifiedAt = now;
}

/** Creates a user with a temporary password (generated when none is given, as Cognito does). */
export async function createUser(
  ctx: UserPoolContext, pool: PoolRecord, username: string, attributes: Record<string, string>, temporaryPassword?: string,
): Promise<UserRecord> {
  if (ctx.state.findUser(pool, username)) throw cognitoError('UsernameExistsException', 'User account already exists');
  const now = ctx.state.clock.now();
  const user: UserRecord = { username, sub: uuid(), attributes, status: 'FORCE_CHANGE_PASSWORD', enabled: true, createdAt: now, modifiedAt: now };
  await setPassword(ctx, pool, user, temporaryPassword ?? generatePassword(), false);
  // Re-check after the await: another request may have created the same name meanwhile.
  if (ctx.state.findUser(pool, username)) throw cognitoError('UsernameExistsException', 'User account already exists');
  pool.users[username] = user;
  pool.modifiedAt = now;
  return user;
}

const UserRef = { UserPoolId: PoolIdSchema, Username: UsernameSchema };

export const adminCreateUser = defineOperation({
  name: 'AdminCreateUser',
  signed: true,
  input: z.object({
    ...UserRef,
    UserAttributes: AttributesSchema.optional(),
    ValidationData: AttributesSchema.optional(),
    TemporaryPassword: PasswordSchema.optional(),
    ForceAliasCreation: z.boolean().optional(),
    MessageAction: z.enum(['RESEND', 'SUPPRESS']).optional(),
    DesiredDeliveryMediums: z.array(z.enum(['SMS', 'EMAIL'])).optional(),
    ClientMetadata: z.record(z.string(), z.string()).optional(),
  }),
  async handle(ctx, input) {
    const pool = ctx.state.pool(input.UserPoolId);
    // The emulator delivers no messages, so there is nothing to resend.
    if (input.MessageAction === 'RESEND') throw cognitoError('InvalidParameterException', 'MessageAction RESEND is not supported: the emulator sends no messages.');
    const user = await createUser(ctx, pool, input.Username, toAttributes(input.UserAttributes), input.TemporaryPassword);
    await ctx.state.commit();
    return { User: userShape(user) };
  },
});

export const adminSetUserPassword = defineOperation({
  name: 'AdminSetUserPassword',
  signed: true,
  input: z.object({ ...UserRef, Password: PasswordSchema, Permanent: z.boolean().optional() }),
  async handle(ctx, input) {
    const pool = ctx.state.pool(input.UserPoolId);
    const user = ctx.state.user(pool, input.Username);
    await setPassword(ctx, pool, user, input.Password, input.Permanent ?? false);
    await ctx.state.commit();
    return {};
  },
});

export const adminGetUser = defineOperation({
  name: 'AdminGetUser',
  signed: true,
  input: z.object(UserRef),
  async handle(ctx, input) {
    const user = ctx.state.user(ctx.state.pool(input.UserPoolId), input.Username);
    return {
      Username: user.username,
      UserAttributes: attributeList(user),
      UserCreateDate: ts(user.createdAt),
      UserLastModifiedDate: ts(user.modifiedAt),
      Enabled: user.enabled,
      UserStatus: user.status,
    };
  },
});

export const adminDeleteUser = defineOperation({
  name: 'AdminDeleteUser',
  signed: true,
  input: z.object(UserRef),
  async handle(ctx, input) {
    const pool = ctx.state.pool(input.UserPoolId);
    const user = ctx.state.user(pool, input.Username);
    delete pool.users[user.username];
    // The user's refresh tokens and challenge sessions die with them.
    for (const [k, r] of Object.entries(ctx.state.data.refreshTokens)) if (r.poolId === pool.id && r.sub === user.sub) delete ctx.state.data.refreshTokens[k];
    for (const [k, s] of Object.entries(ctx.state.data.sessions)) if (s.poolId === pool.id && s.sub === user.sub) delete ctx.state.data.sessions[k];
    pool.modifiedAt = ctx.state.clock.now();
    await ctx.state.commit();
    return {};
  },
});

/** ListUsers filters: `name = "value"` (exact) or `name ^= "value"` (prefix), on Cognito's searchable attributes. */
const FILTERABLE = new Set(['username', 'email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username', 'cognito:user_status', 'status', 'sub']);

function parseFilter(filter: string): (u: UserRecord) => boolean {
  const m = /^\s*([\w:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (!m || !FILTERABLE.has(m[1]!)) throw cognitoError('InvalidParameterException', 'Error while parsing filter.');
  const [, name, op, value] = m as unknown as [string, string, string, string];
  const want = value.replace(/\\(.)/g, '$1');
  const read = (u: UserRecord): string | undefined =>
    name === 'username' ? u.username
      : name === 'sub' ? u.sub
        : name === 'cognito:user_status' ? u.status
          : name === 'status' ? (u.enabled ? 'Enabled' : 'Disabled')
            : u.attributes[name];
  return (u) => {
    const v = read(u);
    return v !== undefined && (op === '=' ? v === want : v.startsWith(want));
  };
}

export const listUsers = defineOperation({
  name: 'ListUsers',
  signed: true,
  input: z.object({
    UserPoolId: PoolIdSchema,
    AttributesToGet: z.array(z.string().min(1).max(32)).optional(),
    Limit: z.number().int().min(0).max(60).optional(),
    PaginationToken: z.string().min(1).optional(),
    Filter: z.string().max(256).optional(),
  }),
  async handle(ctx, input) {
    const pool = ctx.state.pool(input.UserPoolId);
    const match = input.Filter ? parseFilter(input.Filter) : () => true;
    const all = Object.values(pool.users).filter(match).sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
    let start = 0;
    if (input.PaginationToken !== undefined) {
      const after = Buffer.from(input.PaginationToken, 'base64url').toString('utf8');
      start = all.findIndex((u) => u.username > after);
      if (start === -1) start = all.length;
    }
    const limit = input.Limit || 60;
    const page = all.slice(start, start + limit);
    const out: Record<string, unknown> = { Users: page.map((u) => userShape(u, input.AttributesToGet)) };
    if (start + limit < all.length) out.PaginationToken = Buffer.from(page[page.length - 1]!.username).toString('base64url');
    return out;
  },
});
