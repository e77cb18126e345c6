// The import rules (scripts/check-imports.ts): a clean fixture tree passes, each planted violation is
// reported exactly (file, line, import, rule), and the real repository passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkImports, type Violation } from '../check-imports.ts';

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** A minimal workspace: @m/core, @mandate/identity (one file per layer it needs) and @m/app using both. */
const clean: Record<string, string> = {
  'package.json': json({ name: 'root', private: true, devDependencies: { node: '24.0.0' } }),
  'packages/core/package.json': json({ name: '@m/core', exports: { '.': './src/index.ts' }, dependencies: { zod: '^4' } }),
  'packages/core/src/index.ts': "import { z } from 'zod';\nexport const schema = z.string();\n",
  'packages/identity/package.json': json({
    name: '@mandate/identity',
    exports: { '.': './src/index.ts', './testing': './src/testing.ts' },
    dependencies: { '@m/core': '*' },
  }),
  'packages/identity/src/index.ts': "export { start } from './server.ts';\n",
  'packages/identity/src/server.ts': "import { schema } from '@m/core';\nimport { control } from './control/a.ts';\nexport const start = () => [schema, control];\n",
  'packages/identity/src/testing.ts': "export { flow } from './flows/f.ts';\n",
  'packages/identity/src/control/a.ts': "import { flow } from '../flows/f.ts';\nexport const control = flow;\n",
  'packages/identity/src/data/d.ts': "import type { Vault } from '../vault/v.ts';\nexport type Data = Vault;\n",
  'packages/identity/src/flows/f.ts': "import { vault } from '../vault/v.ts';\nexport const flow = vault;\n",
  'packages/identity/src/vault/v.ts': "import { session } from '../sessions/s.ts';\nimport type { Model } from '../model.ts';\nexport type Vault = Model;\nexport const vault = session;\n",
  'packages/identity/src/sessions/s.ts': 'export const session = 1;\n',
  'packages/identity/src/model.ts': 'export type Model = string;\n',
  'packages/identity/test/f.test.ts': "import { flow } from '../src/flows/f.ts';\nvoid flow;\n",
  'packages/app/package.json': json({ name: '@m/app', exports: {}, dependencies: { '@mandate/identity': '*' } }),
  'packages/app/src/main.ts': "import { start } from '@mandate/identity';\nstart();\n",
  'packages/app/test/main.test.ts': "import { flow } from '@mandate/identity/testing';\nvoid flow;\n",
};

/** Writes `clean` with `changes` applied to a temporary root, checks it, and removes it. */
function check(changes: Record<string, string> = {}): Pick<Violation, 'file' | 'line' | 'specifier' | 'rule'>[] & { messages: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'check-imports-'));
  try {
    for (const [path, text] of Object.entries({ ...clean, ...changes })) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const violations = checkImports(root);
    return Object.assign(
      violations.map(({ file, line, specifier, rule }) => ({ file, line, specifier, rule })),
      { messages: violations.map((v) => v.message) },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the clean fixture has no violations', () => {
  assert.deepEqual([...check()], []);
});

test('a deep import by package name, past the exports, is reported', () => {
  const found = check({ 'packages/app/src/main.ts': "import { start } from '@mandate/identity';\nimport { flow } from '@mandate/identity/src/flows/f.ts';\nstart(flow);\n" });
  assert.deepEqual([...found], [{ file: 'packages/app/src/main.ts', line: 2, specifier: '@mandate/identity/src/flows/f.ts', rule: 'exports' }]);
  assert.match(found.messages[0]!, /not in the exports of @mandate\/identity \(exports: \., \.\/testing\)/);
});

test('a relative path into another package is reported, even to an exports target, with the name to use', () => {
  const found = check({ 'packages/app/test/main.test.ts': "import { flow } from '../../identity/src/testing.ts';\nvoid flow;\n" });
  assert.deepEqual([...found], [{ file: 'packages/app/test/main.test.ts', line: 1, specifier: '../../identity/src/testing.ts', rule: 'exports' }]);
  assert.match(found.messages[0]!, /import '@mandate\/identity\/testing' instead/);
});

test('production code may not use a test-only exports entry of another package', () => {
  const found = check({ 'packages/app/src/main.ts': "import { start } from '@mandate/identity';\nimport { flow } from '@mandate/identity/testing';\nstart(flow);\n" });
  assert.deepEqual([...found], [{ file: 'packages/app/src/main.ts', line: 2, specifier: '@mandate/identity/testing', rule: 'exports' }]);
});

test('an undeclared dependency is reported at the import, for src and for tests', () => {
  const found = check({
    'packages/app/src/main.ts': "import { start } from '@mandate/identity';\nimport { decodeJwt } from 'jose';\nstart(decodeJwt);\n",
    'packages/app/test/main.test.ts': "import { flow } from '@mandate/identity/testing';\nimport type { Model } from '@m/core';\nvoid flow;\n",
  });
  assert.deepEqual([...found], [
    { file: 'packages/app/src/main.ts', line: 2, specifier: 'jose', rule: 'dependencies' },
    { file: 'packages/app/test/main.test.ts', line: 2, specifier: '@m/core', rule: 'dependencies' },
  ]);
  assert.match(found.messages[0]!, /add it to the dependencies of @m\/app/);
  assert.match(found.messages[1]!, /add it to its devDependencies/);
});

test('an unused declared dependency is reported at its line in package.json; a test-only one should be a devDependency', () => {
  const found = check({
    'packages/core/package.json': json({ name: '@m/core', exports: { '.': './src/index.ts' }, dependencies: { zod: '^4', jose: '^6' } }),
    'packages/app/package.json': json({ name: '@m/app', exports: {}, dependencies: { '@mandate/identity': '*', '@m/core': '*' } }),
    'packages/app/test/main.test.ts': "import { flow } from '@mandate/identity/testing';\nimport { schema } from '@m/core';\nvoid [flow, schema];\n",
  });
  assert.deepEqual([...found], [
    { file: 'packages/app/package.json', line: 6, specifier: '@m/core', rule: 'dependencies' },
    { file: 'packages/core/package.json', line: 8, specifier: 'jose', rule: 'dependencies' },
  ]);
  assert.match(found.messages[0]!, /only tests import it: move it to devDependencies/);
  assert.match(found.messages[1]!, /nothing in @m\/core imports it: remove it/);
});

test('an identity file importing a higher layer is reported (flows/ -> control/), dynamic imports included', () => {
  const found = check({ 'packages/identity/src/flows/f.ts': "import { vault } from '../vault/v.ts';\nexport const flow = vault;\nexport const later = () => import('../control/a.ts');\n" });
  assert.deepEqual([...found], [{ file: 'packages/identity/src/flows/f.ts', line: 3, specifier: '../control/a.ts', rule: 'layers' }]);
  assert.match(found.messages[0]!, /flows\/ \(rank 2\) may not import control\/ \(rank 3\)/);
});

test('a rank-0 file importing rank 1 is reported, type-only imports included', () => {
  const found = check({ 'packages/identity/src/model.ts': "import type { Vault } from './vault/v.ts';\nexport type Model = string;\nexport type V = Vault;\n" });
  assert.deepEqual([...found], [{ file: 'packages/identity/src/model.ts', line: 1, specifier: './vault/v.ts', rule: 'layers' }]);
});

test('the rank-3 planes may not import each other (data/ -> control/)', () => {
  const found = check({ 'packages/identity/src/data/d.ts': "import type { Vault } from '../vault/v.ts';\nexport { control } from '../control/a.ts';\nexport type Data = Vault;\n" });
  assert.deepEqual([...found], [{ file: 'packages/identity/src/data/d.ts', line: 2, specifier: '../control/a.ts', rule: 'layers' }]);
  assert.match(found.messages[0]!, /may not import its rank-3 sibling control\//);
});

test('an identity file outside the layer table is reported, so the table stays complete', () => {
  const found = check({ 'packages/identity/src/extra/e.ts': "import { flow } from '../flows/f.ts';\nexport const e = flow;\n" });
  assert.deepEqual([...found], [{ file: 'packages/identity/src/extra/e.ts', line: 1, specifier: 'extra/', rule: 'layers' }]);
  assert.match(found.messages[0]!, /add it to IDENTITY_LAYERS/);
});

test('the repository itself follows the rules', () => {
  const violations = checkImports(join(import.meta.dirname, '..', '..'));
  assert.deepEqual(violations, []);
});
