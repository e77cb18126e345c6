// docs/errors.md is generated from errorCodes (scripts/error-table.ts); these fail when it has drifted, and
// pin which codes are the server's fault (SDKs retry 5xx, so a client fault must never be one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCodes } from '@mandate/core';
import { DOC, END, START, renderDoc, renderTable } from '../error-table.ts';

test('docs/errors.md holds the current error table', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(doc, renderDoc(doc), 'docs/errors.md is out of date with packages/core/src/errors.ts: run npm run errors:table');
});

test('the table has one row per code, in source order, between the markers', () => {
  const rows = renderTable().split('\n').slice(2);
  assert.deepEqual(rows.map((r) => /^\| `(\w+)` \|/.exec(r)?.[1]), Object.keys(errorCodes));
  assert.equal(rows[0], '| `validation` | 400 | `ValidationException` | ' + errorCodes.validation.description + ' |');
  const doc = renderDoc(`intro\n${START}\nstale\n${END}\nafter\n`);
  assert.equal(doc, `intro\n${START}\n${renderTable()}\n${END}\nafter\n`);
});

test('only internal and unavailable are server faults (5xx); every other code is a 4xx client fault', () => {
  const serverFaults = Object.entries(errorCodes).filter(([, e]) => e.status >= 500).map(([code]) => code);
  assert.deepEqual(serverFaults, ['internal', 'unavailable']);
  for (const [code, e] of Object.entries(errorCodes)) {
    assert.ok(e.status >= 400 && e.status <= 599, `${code}: ${e.status} is not an error status`);
    assert.ok(e.description.length > 0, `${code} has no description`);
  }
});
