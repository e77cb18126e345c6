/**
 * A minimal AWS SigV4 signer for the load generator: POST requests with a JSON body to a path without
 * special characters and no query, signing `amz-sdk-invocation-id`, `content-type`, `host` and
 * `x-amz-date` exactly as the AWS SDK for JavaScript v3 does for the AgentCore data plane. The derived
 * signing key is cached per day, so a signature costs two SHA-256 and one HMAC (a few microseconds),
 * which lets the load process sign every request freshly instead of replaying one (Mandate rejects a
 * repeated signature that covers a per-call nonce as a replay).
 */
import { createHash, createHmac, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedHeaders {
  'amz-sdk-invocation-id': string;
  'content-type': string;
  host: string;
  'x-amz-date': string;
  authorization: string;
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export class FastSigner {
  readonly #creds: Credentials;
  readonly #region: string;
  readonly #service: string;
  #day = '';
  #key: KeyObject | undefined;

  constructor(creds: Credentials, region: string, service = 'bedrock-agentcore') {
    this.#creds = creds;
    this.#region = region;
    this.#service = service;
  }

  #signingKey(day: string): KeyObject {
    if (this.#key === undefined || this.#day !== day) {
      const kDate = createHmac('sha256', `AWS4${this.#creds.secretAccessKey}`).update(day).digest();
      const kRegion = createHmac('sha256', kDate).update(this.#region).digest();
      const kService = createHmac('sha256', kRegion).update(this.#service).digest();
      this.#key = createSecretKey(createHmac('sha256', kService).update('aws4_request').digest());
      this.#day = day;
    }
    return this.#key;
  }

  /** Signs `POST path` with `body` for `host` (host[:port]); a fresh invocation id makes every signature unique. */
  sign(path: string, host: string, body: string, now = Date.now(), invocationId: string = randomUUID()): SignedHeaders {
    const date = amzDate(now);
    const day = date.slice(0, 8);
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const signedNames = 'amz-sdk-invocation-id;content-type;host;x-amz-date';
    const canonical = `POST\n${path}\n\namz-sdk-invocation-id:${invocationId}\ncontent-type:application/json\nhost:${host}\nx-amz-date:${date}\n\n${signedNames}\n${payloadHash}`;
    const scope = `${day}/${this.#region}/${this.#service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.#signingKey(day)).update(toSign).digest('hex');
    return {
      'amz-sdk-invocation-id': invocationId,
      'content-type': 'application/json',
      host,
      'x-amz-date': date,
      authorization: `AWS4-HMAC-SHA256 Credential=${this.#creds.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`,
    };
  }
}
