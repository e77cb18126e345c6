/**
 * The hosted sign-in's pages: plain, accessible HTML with no scripts and no third-party assets,
 * served with packages/http's security headers (sendHtml).
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml as e, sendHtml } from '@mandate/http';

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f4f4;margin:0}main{max-width:24rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.2)}
label{display:block;margin-top:1rem}input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.25rem;padding:.5rem 1.5rem;font-size:1rem}.error{color:#a4262c}.muted{color:#555;font-size:.9rem}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head><body><main>
<p class="muted">Amazon Cognito user pool (Mandate emulator)</p>
${body}
</main></body></html>`;
}

export interface FormPage {
  action: string;
  interaction: string;
  csrf: string;
  clientName: string;
  error?: string | undefined;
}

const hidden = (o: FormPage) => `<input type="hidden" name="interaction" value="${e(o.interaction)}">
<input type="hidden" name="_csrf" value="${e(o.csrf)}">`;

const errorLine = (error: string | undefined) => (error ? `<p class="error" role="alert" id="form-error">${e(error)}</p>` : '');
const describedBy = (error: string | undefined) => (error ? ' aria-describedby="form-error"' : '');

export function loginPage(o: FormPage & { username?: string | undefined }): string {
  return layout('Sign in', `<h1>Sign in</h1>
<p>to continue to <strong>${e(o.clientName)}</strong></p>
${errorLine(o.error)}
<form method="post" action="${e(o.action)}">
${hidden(o)}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${e(o.username ?? '')}"${describedBy(o.error)}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`);
}

export function newPasswordPage(o: FormPage & { username: string }): string {
  return layout('Change password', `<h1>Change password</h1>
<p>Signed in as <strong>${e(o.username)}</strong> with a temporary password. Choose a new password to continue to <strong>${e(o.clientName)}</strong>.</p>
${errorLine(o.error)}
<form method="post" action="${e(o.action)}">
${hidden(o)}
<input type="text" name="username" autocomplete="username" value="${e(o.username)}" hidden>
<label for="new_password">New password</label>
<input type="password" id="new_password" name="new_password" autocomplete="new-password" required autofocus${describedBy(o.error)}>
<label for="confirm_password">Enter the new password again</label>
<input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" required>
<button type="submit">Change password and sign in</button>
</form>`);
}

/** Cognito's "An error was encountered with the requested page." with the OAuth error it stands for. */
export function errorPage(error: string, description: string): string {
  return layout('Error', `<h1>An error was encountered with the requested page.</h1>
<p class="error" role="alert"><code>${e(error)}</code>: ${e(description)}</p>`);
}

export function sendErrorPage(res: ServerResponse, status: number, error: string, description: string): void {
  sendHtml(res, status, errorPage(error, description));
}

/**
 * Headers for a page whose form ends in a redirect to the client: sendHtml's, without `form-action`.
 * Browsers apply `form-action` to every redirect after a submission (Chromium blocks the whole chain),
 * and a client's callback may itself redirect on to another origin, which no list here could
 * anticipate; the Entra emulator drops it for the same reason. The pages stay locked down by
 * `default-src 'none'` (no script, nothing injected: every value is escaped) and `frame-ancestors 'none'`.
 */
export function formPageHeaders(): Record<string, string> {
  return { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" };
}
