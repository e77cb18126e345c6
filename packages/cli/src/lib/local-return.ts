import { createServer, type Server } from 'node:http';
import { escapeHtml, sendHtml } from '@mandate/http';
import { UserError } from '../command.ts';

export interface LocalReturn {
  url: string;
  /** Resolves with the session URI when the browser comes back with the expected state. */
  sessionUri: Promise<string>;
  close(): Promise<void>;
}

/**
 * A one-shot loopback page for the terminal's 3LO flow (like `agentcore dev`): Mandate redirects the
 * browser here after consent with `session_id` and our `state`. Because it listens on this machine's
 * loopback only, a consent URL forwarded to someone else returns to *their* machine, never here; the
 * `state` check stops a forged return (RFC 6749 §10.12).
 */
export async function startLocalReturn(returnUrl: string, expectedState: string, onReturn: (sessionUri: string) => Promise<void>): Promise<LocalReturn> {
  const u = new URL(returnUrl);
  let resolve!: (s: string) => void;
  let reject!: (e: Error) => void;
  const sessionUri = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
  sessionUri.catch(() => {});
  let done = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', returnUrl);
    if (url.pathname !== u.pathname) return void sendHtml(res, 404, '<p>Not found.</p>');
    const session = url.searchParams.get('session_id');
    if (done || !session || url.searchParams.get('state') !== expectedState) {
      return void sendHtml(res, 400, '<h1>This sign-in link is not for this terminal session.</h1><p>Nothing was stored. Start again with <code>mandate token get</code>.</p>');
    }
    done = true;
    onReturn(session).then(
      () => {
        sendHtml(res, 200, '<h1>Done</h1><p>Mandate has your consent; the terminal has the token. You can close this tab.</p>');
        resolve(session);
      },
      (err: Error) => {
        sendHtml(res, 403, `<h1>Consent could not be completed</h1><p>${escapeHtml(err.message)}</p>`);
        reject(err);
      },
    );
  });
  await new Promise<void>((res, rej) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      rej(err.code === 'EADDRINUSE' ? new UserError(`Port ${u.port} (the terminal's return page) is in use.`, 'Another `mandate token get` may be waiting: finish or stop it first.') : err),
    );
    server.listen(Number(u.port), u.hostname, () => res());
  });
  return {
    url: returnUrl,
    sessionUri,
    close: () => new Promise((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}
