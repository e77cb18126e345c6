import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MandateError, constantTimeEqual, sha256Hex, systemClock, type Clock, type SecretBox } from '@mandate/core';
import type { Store } from '@mandate/storage';
import { ACCESS_KEYS, type AccessKeyDoc } from './model.ts';
import type { AuthenticateOptions, CallerIdentity, RequestAuthenticator } from '../services.ts';
import { ACCESS_KEY_REVOKED_CHANNEL, accessKeySecretContext } from './access-keys.ts';
import { AMZ_DATE, amzDate, amzDateOf } from './amz-date.ts';
import { isPresigned, parseSigV4Authorization, parseSigV4Query, type SigV4Authorization } from './parse-authorization.ts';
import { ReplayCache } from './replay-cache.ts';
import { deriveSigningKey, sigV4Signature } from './sigv4-signature.ts';
import { incompleteSignature, invalidScope, missingAuthentication, replayedSignature, signatureExpired, signatureMismatch, unrecognizedClient } from './sigv4-errors.ts';

/**
 * Verifies AWS Signature Version 4 on requests signed with Mandate-issued access keys, exactly as the
 * AWS SDKs sign them (reference: agentcore-identity-api.md §1.2): signing name `bedrock-agentcore` for
 * both planes, the raw percent-encoded path (double-encoded into the canonical URI by the signer), the
 * `host` as received, the date from `x-amz-date`, and only the headers the client listed in
 * SignedHeaders. Canonicalisation is @smithy/signature-v4's own code (see sigv4-signature.ts), so it is
 * byte-for-byte the SDK's; the signature is compared in constant time.
 *
 * Hot path: a cache hit costs one canonical request, two SHA-256 (body, canonical request) and one
 * HMAC; the store and the vault are read once per key per `keyCacheTtlMs`, the signing key derived
 * once per key per day.
 */
export interface SigV4AuthenticatorOptions {
  store: Store;
  secrets: SecretBox;
  /** The only region clients may scope credentials to. */
  region: string;
  clock?: Clock;
  /** AWS allows 15 minutes of clock skew either way. */
  maxSkewMs?: number;
  /** How long an opened key stays cached (default 60 s; revocations also evict it at once). */
  keyCacheTtlMs?: number;
  maxCachedKeys?: number;
  maxReplayEntries?: number;
  /**
   * Which repeated signatures are rejected as replays:
   *   - `signed-nonce` (default): when the signature covers a per-call nonce (`amz-sdk-invocation-id`,
   *     which the AWS SDK for JavaScript v3 signs), so a repeat can only be a replay;
   *   - `strict`: every repeat within the window. botocore (boto3, the Python AgentCore SDK) adds
   *     `amz-sdk-invocation-id` AFTER signing, so two identical boto3 calls in the same second carry the
   *     same signature; `strict` rejects the second of them;
   *   - `off`: plain SigV4 semantics, as AWS itself applies.
   */
  replayProtection?: 'signed-nonce' | 'strict' | 'off';
}

export const SIGNING_SERVICE = 'bedrock-agentcore';

interface CachedKey {
  identity: CallerIdentity;
  secretAccessKey: string;
  /** Derived signing keys by scope date (yyyymmdd); at most a few days are ever live. */
  signingKeys: Map<string, KeyObject>;
  expiresAt: number;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Decodes `a=1&b=2&b=3` into the shape the signer canonicalises (repeated keys become arrays). */
function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let k: string;
    let v: string;
    try {
      k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw signatureMismatch();
    }
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export class SigV4Authenticator implements RequestAuthenticator {
  readonly #store: Store;
  readonly #secrets: SecretBox;
  readonly #region: string;
  readonly #clock: Clock;
  readonly #maxSkew: number;
  readonly #ttl: number;
  readonly #maxKeys: number;
  readonly #keys = new Map<string, CachedKey>();
  readonly #loading = new Map<string, Promise<CachedKey>>();
  readonly #replay: ReplayCache;
  readonly #replayPolicy: 'signed-nonce' | 'strict' | 'off';
  #unsubscribe: (() => Promise<void>) | undefined;
  /** Bumped by every invalidation, so a key load that raced with a revocation is not cached. */
  #epoch = 0;

  constructor(options: SigV4AuthenticatorOptions) {
    this.#store = options.store;
    this.#secrets = options.secrets;
    this.#region = options.region;
    this.#clock = options.clock ?? systemClock;
    this.#maxSkew = options.maxSkewMs ?? 15 * 60_000;
    this.#ttl = options.keyCacheTtlMs ?? 60_000;
    this.#maxKeys = options.maxCachedKeys ?? 10_000;
    this.#replay = new ReplayCache(options.maxReplayEntries);
    this.#replayPolicy = options.replayProtection ?? 'signed-nonce';
  }

  /** Creates an authenticator that also drops revoked keys as soon as any process announces them. */
  static async create(options: SigV4AuthenticatorOptions): Promise<SigV4Authenticator> {
    const a = new SigV4Authenticator(options);
    a.#unsubscribe = await options.store.subscribe(ACCESS_KEY_REVOKED_CHANNEL, (id) => a.invalidate(id));
    return a;
  }

  /** Forgets a cached key (after revocation). */
  invalidate(accessKeyId: string): void {
    this.#keys.delete(accessKeyId);
    this.#epoch++;
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  async authenticate(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, options?: AuthenticateOptions): Promise<CallerIdentity> {
    const header = headerValue(req, 'authorization');
    if (header === undefined || header === '') {
      // Query authentication only where the route asked for it (a WebSocket a browser opens), never by default.
      if (options?.presigned !== undefined && isPresigned(rawQuery)) return this.#authenticatePresigned(req, rawPath, rawQuery, body, options.presigned.maxExpiresSeconds);
      throw missingAuthentication();
    }
    const auth = parseSigV4Authorization(header);

    // Scope and date checks come before any key lookup: they need no secret.
    this.#checkScope(auth);
    if (!auth.signedHeaders.includes('x-amz-date')) throw incompleteSignature("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
    const dateText = headerValue(req, 'x-amz-date');
    const signedAt = this.#signedAt(auth, dateText, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    const now = this.#clock.now();
    if (signedAt < now - this.#maxSkew) {
      throw signatureExpired(`Signature expired: ${dateText} is now earlier than ${amzDate(now - this.#maxSkew)} (${amzDate(now)} - 15 min.)`);
    }
    this.#checkNotFuture(signedAt, dateText!, now);

    // The signer trusts x-amz-content-sha256 as the payload hash, so it must be the hash of these bytes.
    const payloadHash = sha256Hex(body);
    const declaredHash = headerValue(req, 'x-amz-content-sha256');
    if (declaredHash !== undefined && !constantTimeEqual(declaredHash, payloadHash)) {
      throw new MandateError('invalid_signature', 'The provided x-amz-content-sha256 header does not match what was computed.');
    }

    // Mandate issues long-term keys only; a session token can only be stale or forged (AWS answers the same).
    if (req.headers['x-amz-security-token'] !== undefined) throw unrecognizedClient();

    const key = await this.#key(auth.accessKeyId, now);
    this.#checkSignature(key, auth, req, rawPath, parseQuery(rawQuery), payloadHash, dateText!);

    // Only verified signatures enter the replay cache, so forged requests cannot fill it.
    const guarded = this.#replayPolicy === 'strict' || (this.#replayPolicy === 'signed-nonce' && auth.signedHeaders.includes('amz-sdk-invocation-id'));
    if (guarded && !this.#replay.add(auth.signature, signedAt + this.#maxSkew, now)) throw replayedSignature();
    return key.identity;
  }

  /**
   * SigV4 query authentication (a presigned URL): the same credential, scope and signature rules as
   * the header, plus X-Amz-Expires, capped by the route. A presigned URL may be opened more than once
   * until it expires (a browser reconnecting), so it is not replay-guarded; its short life is the limit.
   */
  async #authenticatePresigned(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, maxExpiresSeconds: number): Promise<CallerIdentity> {
    const query = parseQuery(rawQuery);
    const auth = parseSigV4Query(query);
    this.#checkScope(auth);
    const dateText = query['X-Amz-Date'] as string;
    const signedAt = this.#signedAt(auth, dateText, 'X-Amz-Date must be yyyymmddThhmmssZ.');
    if (auth.expiresSeconds < 1 || auth.expiresSeconds > maxExpiresSeconds) {
      throw new MandateError('validation', `X-Amz-Expires must be between 1 and ${maxExpiresSeconds} seconds.`);
    }
    const now = this.#clock.now();
    if (now > signedAt + auth.expiresSeconds * 1000) throw signatureExpired('Request has expired.');
    this.#checkNotFuture(signedAt, dateText, now);
    if (query['X-Amz-Security-Token'] !== undefined || req.headers['x-amz-security-token'] !== undefined) throw unrecognizedClient();
    const key = await this.#key(auth.accessKeyId, now);
    this.#checkSignature(key, auth, req, rawPath, query, sha256Hex(body), dateText);
    return key.identity;
  }

  #checkScope(auth: SigV4Authorization): void {
    if (auth.service !== SIGNING_SERVICE) throw invalidScope(`Credential should be scoped to correct service: '${SIGNING_SERVICE}'. `);
    if (auth.region !== this.#region) throw invalidScope('Credential should be scoped to a valid region. ');
    if (!auth.signedHeaders.includes('host')) throw incompleteSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }

  #signedAt(auth: SigV4Authorization, dateText: string | undefined, missing: string): number {
    const m = dateText === undefined ? null : AMZ_DATE.exec(dateText);
    if (m === null) throw incompleteSignature(missing);
    const signedAt = amzDateOf(m);
    if (signedAt === undefined) throw incompleteSignature('X-Amz-Date is not a valid date.');
    if (dateText!.slice(0, 8) !== auth.scopeDate) {
      throw invalidScope(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${dateText!.slice(0, 8)}', from '${dateText}'.`);
    }
    return signedAt;
  }

  #checkNotFuture(signedAt: number, dateText: string, now: number): void {
    if (signedAt > now + this.#maxSkew) {
      throw signatureExpired(`Signature not yet current: ${dateText} is still later than ${amzDate(now + this.#maxSkew)} (${amzDate(now)} + 15 min.)`);
    }
  }

  #checkSignature(key: CachedKey, auth: SigV4Authorization, req: IncomingMessage, rawPath: string, query: Record<string, string | string[]>, payloadHash: string, dateText: string): void {
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const v = headerValue(req, name);
      if (v !== undefined) headers[name] = v;
    }
    let signingKey = key.signingKeys.get(auth.scopeDate);
    if (signingKey === undefined) {
      signingKey = deriveSigningKey(key.secretAccessKey, auth.scopeDate, auth.region, auth.service);
      if (key.signingKeys.size >= 4) key.signingKeys.clear();
      key.signingKeys.set(auth.scopeDate, signingKey);
    }
    const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
    // The canonical query leaves X-Amz-Signature out (the signer skips it), so a presigned query verifies as is.
    const expected = sigV4Signature(signingKey, { method: req.method ?? 'GET', path: rawPath, query, headers }, payloadHash, dateText, scope);
    if (!constantTimeEqual(expected, auth.signature)) throw signatureMismatch();
  }

  async #key(accessKeyId: string, now: number): Promise<CachedKey> {
    const hit = this.#keys.get(accessKeyId);
    if (hit !== undefined && hit.expiresAt > now) return hit;
    let p = this.#loading.get(accessKeyId);
    if (p === undefined) {
      p = this.#loadKey(accessKeyId).finally(() => this.#loading.delete(accessKeyId));
      this.#loading.set(accessKeyId, p);
    }
    return p;
  }

  async #loadKey(accessKeyId: string): Promise<CachedKey> {
    if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) throw unrecognizedClient();
    const epoch = this.#epoch;
    const rec = await this.#store.get<AccessKeyDoc>(ACCESS_KEYS, accessKeyId);
    if (rec === undefined || rec.doc.status !== 'Active' || rec.doc.accessKeyId !== accessKeyId) throw unrecognizedClient();
    const doc = rec.doc;
    let secretAccessKey: string;
    try {
      secretAccessKey = await this.#secrets.open(doc.secret, accessKeySecretContext(accessKeyId));
    } catch (cause) {
      // A row whose secret no longer opens (tampered, swapped, or sealed under a lost master key) is no key at all.
      throw new MandateError('unrecognized_client', 'The security token included in the request is invalid.', { cause });
    }
    const identity: CallerIdentity = {
      accessKeyId,
      role: doc.role,
      allowUserIdTokens: doc.allowUserIdTokens,
      ...(doc.workloadName === undefined ? {} : { workloadName: doc.workloadName }),
    };
    const entry: CachedKey = { identity, secretAccessKey, signingKeys: new Map(), expiresAt: this.#clock.now() + this.#ttl };
    if (epoch === this.#epoch) this.#keys.set(accessKeyId, entry);
    while (this.#keys.size > this.#maxKeys) this.#keys.delete(this.#keys.keys().next().value!);
    return entry;
  }
}
