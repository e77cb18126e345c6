/**
 * Plain, accessible HTML for the emulator's pages (sign-in, consent, device code, errors). No
 * scripts except the form_post auto-submit, which runs under a per-response CSP nonce.
 */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { escapeHtml as e, sendHtml } from '@mandate/http';
import { describe, entraTimestamp, type EntraError } from './errors.ts';

const STYLE = `body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
label{display:block;margin-top:1rem}input[type=text],input[type=email],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.25rem;margin-right:.5rem;padding:.5rem 1.5rem;font-size:1rem}.error{color:#a4262c}.muted{color:#555;font-size:.9rem}ul{padding-left:1.25rem}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head><body><main>
<p class="muted">Microsoft Entra ID (Mandate emulator)</p>
${body}
</main></body></html>`;
}

export function loginPage(o: { action: string; csrf: string; appName: string; tenantName: string; username?: string | undefined; error?: string }): string {
  return layout('Sign in to your account', `<h1>Sign in</h1>
<p>to continue to <strong>${e(o.appName)}</strong> (${e(o.tenantName)})</p>
${o.error ? `<p class="error" role="alert" id="login-error">${e(o.error)}</p>` : ''}
<form method="post" action="${e(o.action)}">
<input type="hidden" name="csrf" value="${e(o.csrf)}">
<label for="username">Email or username</label>
<input type="email" id="username" name="username" autocomplete="username" required autofocus value="${e(o.username ?? '')}"${o.error ? ' aria-describedby="login-error"' : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" name="action" value="signin">Sign in</button>
</form>`);
}

export interface ConsentScope {
  resourceName: string;
  value: string;
  description: string;
}

export function consentPage(o: { action: string; csrf: string; appName: string; username: string; scopes: ConsentScope[] }): string {
  const items = o.scopes.map((s) => `<li><strong>${e(s.value)}</strong> on ${e(s.resourceName)}${s.description ? ` — ${e(s.description)}` : ''}</li>`).join('\n');
  return layout('Permissions requested', `<h1>Permissions requested</h1>
<p><strong>${e(o.appName)}</strong> wants to act as <strong>${e(o.username)}</strong> with these permissions:</p>
<ul>${items || '<li>Sign you in and read your profile</li>'}</ul>
<p class="muted">Accepting lets this app use these permissions until you revoke them.</p>
<form method="post" action="${e(o.action)}">
<input type="hidden" name="csrf" value="${e(o.csrf)}">
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>`);
}

export function deviceCodePage(o: { action: string; error?: string }): string {
  return layout('Enter code', `<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
${o.error ? `<p class="error" role="alert" id="code-error">${e(o.error)}</p>` : ''}
<form method="post" action="${e(o.action)}">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" autocomplete="one-time-code" required autofocus${o.error ? ' aria-describedby="code-error"' : ''}>
<button type="submit">Next</button>
</form>`);
}

export function messagePage(title: string, text: string): string {
  return layout(title, `<h1>${e(title)}</h1><p>${e(text)}</p>`);
}

/** Entra's "Sorry, but we're having trouble signing you in" page (bad client or redirect URI). */
export function errorPage(err: EntraError, now: number): string {
  return layout('Sign in error', `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p class="error" role="alert">${e(describe(err))}</p>
<p class="muted">Error code: ${err.aadsts}<br>Timestamp: ${e(entraTimestamp(now))}</p>`);
}

/**
 * Headers for a page whose form submission ends in a redirect to the client. No `form-action`:
 * browsers apply it to every redirect after a submission, and a client's redirect URI may itself
 * redirect on (Mandate's callback sends the browser to the application's return URL), which a
 * `form-action` list could never anticipate; real Entra sets none either. Pages stay locked down by
 * `default-src 'none'` (no script, no injected form targets) and `frame-ancestors 'none'`.
 */
export function formPageHeaders(_redirectUri: string | undefined): Record<string, string> {
  return { 'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'` };
}

/** response_mode=form_post (OAuth 2.0 Form Post Response Mode): auto-submitting form to the redirect URI. */
export function sendFormPost(res: ServerResponse, action: string, fields: Record<string, string>): void {
  const nonce = randomBytes(16).toString('base64');
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`).join('');
  const html = layout('Continue', `<form method="post" action="${e(action)}" id="fp">${inputs}<noscript><button type="submit">Continue</button></noscript></form>
<script nonce="${nonce}">document.getElementById('fp').submit()</script>`);
  sendHtml(res, 200, html, {
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action ${new URL(action).origin}; frame-ancestors 'none'`,
  });
}
