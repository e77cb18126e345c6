/**
 * A recording GetResourceOauth2Token endpoint on loopback (restJson1, the wire contract in
 * shared/reference/agentcore-identity-api.md §2, §4.5, §6), standing in for Mandate's identity
 * server until that server can be assembled in a test. It records every request the agent's real
 * `withAccessToken` → AWS SDK client sends, binds each consent session to the WAT that opened it,
 * and releases the token only after the test completes consent — so the agent's real polling runs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

interface Session {
  readonly wat: string;
  token?: string;
  denied?: boolean;
}

export interface IdentityEndpoint {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Resolves with the authorization URL once a consent session was opened for `wat`. */
  authorizationUrlFor(wat: string): string | undefined;
  complete(wat: string, accessToken: string): void;
  deny(wat: string): void;
  close(): Promise<void>;
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ message }));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

export async function startIdentityEndpoint(): Promise<IdentityEndpoint> {
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Session>(); // sessionUri → session
  const byWat = new Map<string, string>(); // wat → sessionUri
  let base = '';

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
      if (req.method !== 'POST' || req.url !== '/identities/oauth2/token') return awsError(res, 404, 'ResourceNotFoundException', 'Unknown operation');
      const wat = body['workloadIdentityToken'];
      if (typeof wat !== 'string' || body['oauth2Flow'] !== 'USER_FEDERATION') return awsError(res, 400, 'ValidationException', 'Bad request');
      const sessionUri = body['sessionUri'];
      if (sessionUri === undefined) {
        const uri = `urn:ietf:params:oauth:request_uri:${randomUUID()}`;
        sessions.set(uri, { wat });
        byWat.set(wat, uri);
        const authorizationUrl = `${base}/identities/oauth2/authorize?request_uri=${encodeURIComponent(uri)}`;
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ authorizationUrl, sessionUri: uri, sessionStatus: 'IN_PROGRESS' }));
      }
      const session = typeof sessionUri === 'string' ? sessions.get(sessionUri) : undefined;
      // A session polled with another user's WAT must never release that user's token.
      if (!session || session.wat !== wat || session.denied) return awsError(res, 403, 'AccessDeniedException', 'Invalid or expired session');
      if (session.token === undefined) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sessionUri, sessionStatus: 'IN_PROGRESS' }));
      sessions.delete(sessionUri as string); // single use
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accessToken: session.token }));
    })().catch(() => awsError(res, 500, 'InternalServerException', 'Internal error'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sessionOf = (wat: string): Session => {
    const session = sessions.get(byWat.get(wat) ?? '');
    if (!session) throw new Error(`no consent session for ${wat}`);
    return session;
  };
  return {
    url: base,
    requests,
    authorizationUrlFor: (wat) => {
      const uri = byWat.get(wat);
      return uri ? `${base}/identities/oauth2/authorize?request_uri=${encodeURIComponent(uri)}` : undefined;
    },
    complete: (wat, accessToken) => void (sessionOf(wat).token = accessToken),
    deny: (wat) => void (sessionOf(wat).denied = true),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
