import { randomBytes } from 'node:crypto';
import { MandateError, accessKeyId as newAccessKeyId } from '@mandate/core';
import { StoreConflictError } from '@mandate/storage';
import { ACCESS_KEYS, type AccessKeyDoc } from './model.ts';
import type { EdgeServices } from '../services.ts';

/**
 * Mandate-issued access keys: the credentials the AWS SDKs sign requests with. SigV4 is an HMAC, so the
 * server needs the secret itself; it is sealed in the vault (envelope encryption, context bound to the
 * key id) and never returned after creation.
 */
export type AccessKeyServices = Pick<EdgeServices, 'store' | 'secrets' | 'clock'>;

export interface CreateAccessKeyInput {
  role: 'admin' | 'workload';
  /** Required for `workload` keys: the workload identity the key acts as. */
  workloadName?: string;
  /** May mint workload access tokens for arbitrary user ids (checklist A.3 item 25). Default false. */
  allowUserIdTokens?: boolean;
  description?: string;
}

export interface AccessKeyCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An access key as listed: everything but the secret. */
export type AccessKeySummary = Omit<AccessKeyDoc, 'secret'>;

/** Channel on which revocations are announced so every process drops its cached key at once. */
export const ACCESS_KEY_REVOKED_CHANNEL = 'mandate.access-key.revoked';

export function accessKeySecretContext(accessKeyId: string): Record<string, string> {
  return { kind: 'access-key', accessKeyId };
}

/** 30 random bytes as 40 base64 characters: the shape (and 240 bits) of an AWS secret access key. */
function newSecret(): string {
  return randomBytes(30).toString('base64');
}

export async function createAccessKey(services: AccessKeyServices, input: CreateAccessKeyInput): Promise<AccessKeyCredentials> {
  if (input.role !== 'admin' && input.role !== 'workload') throw new MandateError('validation', 'role must be admin or workload.');
  if (input.role === 'workload' && !input.workloadName) throw new MandateError('validation', 'A workload access key needs a workloadName.');
  if (input.role === 'admin' && input.workloadName !== undefined) throw new MandateError('validation', 'An admin access key is not tied to a workload.');
  for (let attempt = 0; ; attempt++) {
    const id = newAccessKeyId();
    const secretAccessKey = newSecret();
    const doc: AccessKeyDoc = {
      accessKeyId: id,
      secret: await services.secrets.seal(secretAccessKey, accessKeySecretContext(id)),
      role: input.role,
      allowUserIdTokens: input.allowUserIdTokens ?? false,
      status: 'Active',
      createdTime: services.clock.now(),
      ...(input.workloadName === undefined ? {} : { workloadName: input.workloadName }),
      ...(input.description === undefined ? {} : { description: input.description }),
    };
    try {
      await services.store.insert(ACCESS_KEYS, id, doc);
      return { accessKeyId: id, secretAccessKey };
    } catch (err) {
      if (!(err instanceof StoreConflictError) || attempt >= 3) throw err; // 80 random bits: a clash is vanishingly rare
    }
  }
}

function summary(doc: AccessKeyDoc): AccessKeySummary {
  const { secret: _secret, ...rest } = doc;
  return rest;
}

export async function listAccessKeys(services: Pick<AccessKeyServices, 'store'>, options: { workloadName?: string } = {}): Promise<AccessKeySummary[]> {
  const out: AccessKeySummary[] = [];
  let after: string | undefined;
  do {
    const page = await services.store.list<AccessKeyDoc>(ACCESS_KEYS, after === undefined ? { limit: 500 } : { limit: 500, after });
    for (const r of page.items) if (options.workloadName === undefined || r.doc.workloadName === options.workloadName) out.push(summary(r.doc));
    after = page.next;
  } while (after !== undefined);
  return out;
}

/** Marks a key Revoked (kept for audit) and tells every process to drop it from its cache. */
export async function revokeAccessKey(services: Pick<AccessKeyServices, 'store' | 'clock'>, accessKeyId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const rec = await services.store.get<AccessKeyDoc>(ACCESS_KEYS, accessKeyId);
    if (rec === undefined) throw new MandateError('not_found', `Access key ${accessKeyId} does not exist.`);
    if (rec.doc.status !== 'Revoked') {
      const updated = await services.store.update(ACCESS_KEYS, accessKeyId, { ...rec.doc, status: 'Revoked' }, rec.version);
      if (updated === undefined) continue;
    }
    await services.store.publish(ACCESS_KEY_REVOKED_CHANNEL, accessKeyId);
    return;
  }
  throw new MandateError('concurrent_modification', `Access key ${accessKeyId} is being modified; try again.`);
}

/**
 * On the very first start (no access key has ever been issued) creates an admin key and returns it, so
 * the dev stack can write it to .mandate/dev.json; returns undefined on every later start, even if all
 * admin keys were since revoked (a restart must never mint a fresh admin credential).
 */
export async function ensureBootstrapAdminKey(services: AccessKeyServices): Promise<AccessKeyCredentials | undefined> {
  return services.store.withLock('mandate:bootstrap-admin-key', async () => {
    if ((await services.store.count(ACCESS_KEYS)) > 0) return undefined;
    return createAccessKey(services, { role: 'admin', allowUserIdTokens: true, description: 'Bootstrap admin key created on first start' });
  });
}
