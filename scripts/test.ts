// `npm test`: type-check the whole tree, check the import rules (scripts/check-imports.ts), then run every test file with Node's built-in runner.
// Extra arguments are test file paths or globs (e.g. `npm test -- packages/storage/test/*.test.ts`).
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const args = process.argv.slice(2);
const patterns = args.length > 0 ? args : ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'scripts/test/**/*.test.ts'];
const files = patterns.flatMap((p) => globSync(p)).filter((f) => !f.includes('node_modules')).sort();

if (process.env.MANDATE_SKIP_TYPECHECK !== '1') {
  console.log('Type-checking (tsc --noEmit)...');
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('Type errors above: fix them, then run `npm test` again.');
    process.exit(tsc.status ?? 1);
  }
}

// The import rules take under a second, so they run on every `npm test`, even for a few files.
const imports = spawnSync(process.execPath, ['scripts/check-imports.ts'], { stdio: 'inherit' });
if (imports.status !== 0) {
  console.error('Import rule violations above: fix them (each line says what to do), then run `npm test` again.');
  process.exit(imports.status ?? 1);
}

console.log(`Running ${files.length} test files...`);
const r = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${process.env.MANDATE_TEST_CONCURRENCY ?? '3'}`, '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
);
process.exit(r.status ?? 1);
