import type { CognitoOperation } from '../protocol.ts';
import { initiateAuth, respondToAuthChallenge, getUser } from './auth.ts';
import { createUserPoolClient, describeUserPoolClient, updateUserPoolClient } from './clients.ts';
import { createUserPool, describeUserPool, listUserPools } from './pools.ts';
import { adminCreateUser, adminDeleteUser, adminGetUser, adminSetUserPassword, listUsers } from './users.ts';

/** Every operation the emulator serves; a new operation is one file entry plus one line here. */
export const operations: ReadonlyMap<string, CognitoOperation> = new Map(
  [
    createUserPool, describeUserPool, listUserPools,
    createUserPoolClient, describeUserPoolClient, updateUserPoolClient,
    adminCreateUser, adminSetUserPassword, adminGetUser, adminDeleteUser, listUsers,
    initiateAuth, respondToAuthChallenge, getUser,
  ].map((op) => [op.name, op]),
);
