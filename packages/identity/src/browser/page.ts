import type { ServerResponse } from 'node:http';
import { escapeHtml, sendHtml } from '@mandate/http';
import { isMandateError, type Logger } from '@mandate/core';
import { toMandateError } from '@mandate/edge';

/** A minimal self-contained page (no scripts; CSP, no-referrer and no-store come from sendHtml). */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}.muted{color:#666;font-size:.9rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** Browser-facing errors: a plain page with the error's message (never a stack, never a secret). */
export function sendErrorPage(res: ServerResponse, failure: unknown, requestId: string, logger: Logger): void {
  const err = toMandateError(failure);
  const known = isMandateError(err);
  if (!known) logger.error('browser route failed', { requestId, error: err });
  const status = known ? (err.status >= 500 ? 502 : err.status) : 500;
  // A field failure's own message is written for the person (browser/register.ts); the AWS-style summary is not.
  const message = !known ? 'Mandate hit an internal error.'
    : err.code === 'validation' && err.fieldList?.length ? [...new Set(err.fieldList.map((f) => f.message))].join(' ') : err.message;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendHtml(res, status, page('Authorization could not continue', `<p>${escapeHtml(message)}</p><p class="muted">Request ${escapeHtml(requestId)}. You can close this window and ask the agent to start again.</p>`));
}
