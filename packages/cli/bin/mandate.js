#!/usr/bin/env node
// Launcher for `npx mandate`: Mandate runs on Node 24 (type stripping). When started by an older
// system node, re-run the same command with the Node 24 binary installed by the `node` devDependency.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', 'src', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  const { startCli } = await import(main);
  startCli(process.argv.slice(2));
} else {
  let dir = here;
  let node;
  for (let i = 0; i < 6 && !node; i++) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) node = candidate;
    dir = dirname(dir);
  }
  if (!node) {
    console.error(`mandate needs Node.js 24 or later (this is ${process.version}). Run \`npm install\` in the repository first, or install Node 24.`);
    process.exit(1);
  }
  const r = spawnSync(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
