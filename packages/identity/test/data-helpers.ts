import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ManualClock, MandateError, memoryLogger, type Clock } from '@mandate/core';
import { MemoryStore, type Store } from '@mandate/storage';
import type { CallerIdentity } from '@mandate/edge';
import type { IdentityServices } from '../src/services.ts';
import type { SealedSecret, SecretBox } from '@mandate/core';
import { collections, type Oauth2ProviderDoc, type WorkloadIdentityDoc } from '../src/model.ts';
import { clientSecretContext, loadProvider, providerClient } from '../src/flows/provider-client.ts';

/** A real AES-256-GCM SecretBox with the context as associated data, for tests that run without vault/. */
export class TestSecretBox implements SecretBox {
  #key = randomBytes(32);
  async seal(plaintext: string, context: Record<string, string>): Promise<SealedSecret> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: 16 });
    c.setAAD(Buffer.from(canonical(context)));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return { v: 1, kid: 'test', iv: iv.toString('base64url'), ct: ct.toString('base64url'), tag: c.getAuthTag().toString('base64url') };
  }
  async open(s: SealedSecret, context: Record<string, string>): Promise<string> {
    try {
      const d = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(s.iv, 'base64url'), { authTagLength: 16 });
      d.setAAD(Buffer.from(canonical(context)));
      d.setAuthTag(Buffer.from(s.tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(s.ct, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new MandateError('decryption_failure', 'The secret could not be decrypted.');
    }
  }
}

function canonical(ctx: Record<string, string>): string {
  return JSON.stringify(Object.keys(ctx).sort().map((k) => [k, ctx[k]]));
}

export function testServices(opts: { store?: Store; clock?: Clock; secrets?: SecretBox; publicUrl?: string; fetch?: typeof fetch } = {}): IdentityServices & { logger: ReturnType<typeof memoryLogger> } {
  const clock = opts.clock ?? new ManualClock();
  return {
    store: opts.store ?? new MemoryStore({ clock }),
    secrets: opts.secrets ?? new TestSecretBox(),
    authenticator: { authenticate: async () => { throw new Error('not used'); } },
    config: { publicUrl: opts.publicUrl ?? 'http://127.0.0.1:1', region: 'us-west-2', accountId: '123456789012', entraAuthorityBase: 'https://login.microsoftonline.com', devMode: true },
    clock,
    logger: memoryLogger(),
    fetch: opts.fetch ?? globalThis.fetch,
  };
}

export const admin: CallerIdentity = { accessKeyId: 'MKIAADMIN', role: 'admin', allowUserIdTokens: true };
export const workloadCaller = (workloadName: string, allowUserIdTokens = false): CallerIdentity => ({ accessKeyId: 'MKIAW' + workloadName, role: 'workload', workloadName, allowUserIdTokens });

export async function putWorkload(services: IdentityServices, doc: Partial<WorkloadIdentityDoc> & { name: string }): Promise<void> {
  await services.store.put<WorkloadIdentityDoc>(collections.workloadIdentities, doc.name, {
    workloadIdentityArn: `arn:aws:bedrock-agentcore:us-west-2:123456789012:workload-identity-directory/default/workload-identity/${doc.name}`,
    allowedResourceOauth2ReturnUrls: [],
    createdTime: 0,
    lastUpdatedTime: 0,
    ...doc,
  });
}

/**
 * A CustomOauth2 provider `custom` whose token endpoint answers every request with `response` (after
 * 20 ms), recording the form bodies: for unit tests of request shapes and provider behaviour the Entra
 * emulator does not have (no refresh-token rotation, RFC 8693).
 */
export async function scriptedProvider(response: Record<string, unknown>, quirks: Record<string, unknown> = {}, status = 200) {
  const clock = new ManualClock(Date.now());
  const calls: URLSearchParams[] = [];
  const s = testServices({
    clock,
    fetch: async (_url, init) => {
      calls.push(new URLSearchParams(String(init?.body)));
      await new Promise((r) => setTimeout(r, 20));
      return new Response(JSON.stringify(response), { status, headers: { 'content-type': 'application/json' } });
    },
  });
  const doc: Oauth2ProviderDoc = {
    name: 'custom', credentialProviderArn: 'arn:x', vendor: 'CustomOauth2', configMember: 'customOauth2ProviderConfig', clientId: 'cid',
    clientSecret: await s.secrets.seal('csecret', clientSecretContext('custom')), clientSecretSource: 'MANAGED', clientSecretArn: 'arn:s',
    endpoints: { issuer: 'http://127.0.0.1:9', authorizationEndpoint: 'http://127.0.0.1:9/authorize', tokenEndpoint: 'http://127.0.0.1:9/token' },
    configOutput: {}, quirks, callbackId: 'cb', status: 'READY', createdTime: 0, lastUpdatedTime: 0,
  };
  await s.store.put(collections.oauth2Providers, 'custom', doc);
  const pc = await providerClient(s, await loadProvider(s, 'custom'));
  return { s, clock, calls, pc };
}
