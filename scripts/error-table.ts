// `npm run errors:table`: renders the error-code table of docs/errors.md from errorCodes in
// packages/core/src/errors.ts, so the code table stays the single source and the doc cannot drift
// (scripts/test/error-table.test.ts fails when it has).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCodes } from '@mandate/core';

export const START = '<!-- error-table:start -->';
export const END = '<!-- error-table:end -->';
export const DOC = join(import.meta.dirname, '..', 'docs', 'errors.md');

/** The markdown table, one row per code in source order. */
export function renderTable(): string {
  const rows = Object.entries(errorCodes).map(([code, { status, awsType, description }]) => {
    // A `|` would end the cell early; descriptions are one plain line.
    if (/[|\n]/.test(description)) throw new Error(`errorCodes.${code}.description must be one line without '|'`);
    return `| \`${code}\` | ${status} | \`${awsType}\` | ${description} |`;
  });
  return ['| Code | HTTP status | AWS error type | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** `doc` with the text between the markers replaced by the current table. */
export function renderDoc(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end < start) throw new Error(`docs/errors.md must contain ${START} followed by ${END}`);
  return `${doc.slice(0, start + START.length)}\n${renderTable()}\n${doc.slice(end)}`;
}

if (import.meta.main) {
  const before = readFileSync(DOC, 'utf8');
  const after = renderDoc(before);
  if (after !== before) writeFileSync(DOC, after);
  console.log(after === before ? 'docs/errors.md is up to date.' : 'docs/errors.md regenerated.');
}
