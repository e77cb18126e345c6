// `node scripts/check-imports.ts`: the import rules that keep the workspace's package graph honest.
// Run by `npm test` before the tests; exits 1 with one line per violation (file:line, the import, the rule,
// what to do). The rule data is at the top; the rest only reads the tree.
//
//   exports       another package is reached only through its package.json `exports` (by name, never by a
//                 relative path into it); test-only entries (./testing, ./test-*) are for tests and benchmarks.
//   dependencies  every bare import is declared (src: dependencies; test: dependencies or devDependencies,
//                 third-party test tools may live in the root devDependencies), and every declaration is used.
//   layers        identity's internal layers (packages/identity/src) point one way: down.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isBuiltin } from 'node:module';
import ts from 'typescript';

/**
 * Identity's layers, highest first. A file may import its own unit (a directory or a single file), any
 * unit of a lower rank, and units of its own rank unless `siblings` is false. Every file in
 * packages/identity/src must fall in one unit, so a new directory has to be placed here on purpose.
 */
export const IDENTITY_LAYERS: readonly { rank: number; units: readonly string[]; siblings: boolean }[] = [
  { rank: 4, units: ['server.ts', 'index.ts', 'port.ts', 'testing.ts'], siblings: true },
  // The three planes are independent: what two of them share belongs in flows/ or below.
  { rank: 3, units: ['control/', 'data/', 'browser/'], siblings: false },
  { rank: 2, units: ['flows/'], siblings: true },
  { rank: 1, units: ['vault/', 'sessions/', 'workload/', 'inbound-jwt/', 'catalog/'], siblings: true },
  { rank: 0, units: ['model.ts', 'services.ts', 'arns.ts', 'operation.ts'], siblings: true },
];
export const IDENTITY_SRC = 'packages/identity/src';

/**
 * Exports entries that hand out internals or shared test fixtures (./testing, ./test-harness, ./test-pg):
 * tests and benchmarks may import them from another package, production code may not.
 */
export const TEST_ONLY_EXPORTS = /^\.\/test(ing$|-)/;

/** Root devDependencies that are used without being imported (the Node binary, type packages). */
export const ROOT_IMPLICIT_DEPENDENCIES: readonly RegExp[] = [/^node$/, /^@types\//];

/** Where workspace packages live (the root package.json `workspaces`), and what else belongs to the root. */
const WORKSPACE_DIRS = ['packages', 'examples'];
const ROOT_DIRS = ['bench', 'scripts'];
const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

export type Rule = 'exports' | 'dependencies' | 'layers';

export interface Violation {
  /** Path relative to the root, `/`-separated. */
  file: string;
  line: number;
  /** The import specifier, or the dependency name for an unused declaration. */
  specifier: string;
  rule: Rule;
  message: string;
}

interface Pkg {
  name: string;
  /** Absolute directory; the root package's is the repository root. */
  dir: string;
  manifestFile: string;
  manifestText: string;
  dependencies: Set<string>;
  devDependencies: Set<string>;
  /** exports subpath ('.', './testing') to absolute target file. */
  exports: Map<string, string>;
  isRoot: boolean;
}

interface Use {
  file: string;
  line: number;
  specifier: string;
}

/** Check the tree at `root`; returns the violations sorted by file and line (empty when clean). */
export function checkImports(root: string): Violation[] {
  root = resolve(root);
  const rootPkg = readPackage(root, true);
  const workspace = WORKSPACE_DIRS.flatMap((d) => listDirs(join(root, d)))
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((d) => readPackage(d, false));
  const byName = new Map(workspace.map((p) => [p.name, p]));
  const ownerOf = (file: string): Pkg => workspace.find((p) => file.startsWith(p.dir + sep)) ?? rootPkg;
  const rel = (file: string) => relative(root, file).split(sep).join('/');

  const violations: Violation[] = [];
  const report = (file: string, line: number, specifier: string, rule: Rule, message: string) =>
    violations.push({ file: rel(file), line, specifier, rule, message });
  // Per package and name: where it is imported from production code and from tests.
  const prodUses = new Map<Pkg, Map<string, Use[]>>();
  const testUses = new Map<Pkg, Map<string, Use[]>>();
  const allUsed = new Set<string>();

  const files = [...WORKSPACE_DIRS, ...ROOT_DIRS].flatMap((d) => listFiles(join(root, d)));
  for (const file of files.filter((f) => SOURCE_FILE.test(f))) {
    const owner = ownerOf(file);
    const isTest = owner.isRoot || relative(owner.dir, file).split(sep)[0] === 'test';
    for (const { specifier, line } of importsOf(file)) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolve(dirname(file), specifier);
        const targetOwner = ownerOf(target);
        if (targetOwner !== owner) {
          report(file, line, specifier, 'exports', relativeEscapeMessage(targetOwner, target));
        } else if (owner.name === '@mandate/identity') {
          checkLayers(rel(file), rel(target), (message) => report(file, line, specifier, 'layers', message));
        }
        continue;
      }
      if (specifier.startsWith('node:') || isBuiltin(specifier)) continue;
      const name = packageName(specifier);
      allUsed.add(name);
      const target = byName.get(name);
      if (target !== undefined) {
        const subpath = '.' + specifier.slice(name.length);
        if (!target.exports.has(subpath)) {
          report(file, line, specifier, 'exports', `'${subpath}' is not in the exports of ${name} (${exportsList(target)}). Import one of those, or add an exports entry if it is meant to be public.`);
        } else if (TEST_ONLY_EXPORTS.test(subpath) && !isTest && target !== owner) {
          report(file, line, specifier, 'exports', `${specifier} is for tests and benchmarks; production code imports '${name}' only (export what you need from its index).`);
        }
        if (target === owner) continue; // a package importing itself by name declares nothing
      }
      const uses = isTest ? testUses : prodUses;
      const perPkg = uses.get(owner) ?? uses.set(owner, new Map()).get(owner)!;
      (perPkg.get(name) ?? perPkg.set(name, []).get(name)!).push({ file, line, specifier });
      const problem = undeclared(owner, rootPkg, name, isTest, target !== undefined);
      if (problem !== undefined) report(file, line, specifier, 'dependencies', problem);
    }
  }

  for (const pkg of workspace) {
    const prod = prodUses.get(pkg) ?? new Map();
    const test = testUses.get(pkg) ?? new Map();
    for (const dep of pkg.dependencies) {
      if (prod.has(dep)) continue;
      const message = test.has(dep)
        ? `${dep} is in dependencies but only tests import it: move it to devDependencies.`
        : `${dep} is declared in dependencies but nothing in ${pkg.name} imports it: remove it.`;
      report(pkg.manifestFile, lineOf(pkg.manifestText, dep), dep, 'dependencies', message);
    }
    for (const dep of pkg.devDependencies) {
      if (!prod.has(dep) && !test.has(dep)) {
        report(pkg.manifestFile, lineOf(pkg.manifestText, dep), dep, 'dependencies', `${dep} is declared in devDependencies but nothing in ${pkg.name} imports it: remove it.`);
      }
    }
  }
  for (const dep of rootPkg.devDependencies) {
    if (allUsed.has(dep) || ROOT_IMPLICIT_DEPENDENCIES.some((re) => re.test(dep))) continue;
    report(rootPkg.manifestFile, lineOf(rootPkg.manifestText, dep), dep, 'dependencies', `${dep} is in the root devDependencies but nothing imports it: remove it.`);
  }

  const identitySrc = join(root, IDENTITY_SRC);
  for (const file of listFiles(identitySrc).filter((f) => !f.endsWith('.md'))) {
    const unit = unitOf(relative(identitySrc, file).split(sep).join('/'));
    if (layerOf(unit) === undefined) {
      report(file, 1, unit, 'layers', `${unit} is not in identity's layer table: add it to IDENTITY_LAYERS in scripts/check-imports.ts at the rank it belongs to.`);
    }
  }

  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.specifier.localeCompare(b.specifier));
}

/** Why a bare import is not declared where it should be, or undefined when it is. */
function undeclared(owner: Pkg, rootPkg: Pkg, name: string, isTest: boolean, isWorkspace: boolean): string | undefined {
  if (owner.isRoot) {
    // bench/ and scripts/: workspace packages are linked at the root by npm; tools are root devDependencies.
    if (isWorkspace || rootPkg.devDependencies.has(name) || rootPkg.dependencies.has(name)) return undefined;
    return `${name} is not declared: add it to the root package.json devDependencies.`;
  }
  if (owner.dependencies.has(name)) return undefined;
  if (!isTest) {
    return owner.devDependencies.has(name)
      ? `${name} is in devDependencies of ${owner.name} but its src imports it: move it to dependencies.`
      : `${name} is not declared: add it to the dependencies of ${owner.name} (${relative(rootPkg.dir, owner.manifestFile)}).`;
  }
  if (owner.devDependencies.has(name)) return undefined;
  if (isWorkspace) return `${name} is not declared: tests of ${owner.name} use it, so add it to its devDependencies.`;
  if (rootPkg.devDependencies.has(name)) return undefined; // shared test tools live at the root
  return `${name} is not declared: add it to the root devDependencies (test tools) or to the devDependencies of ${owner.name}.`;
}

function relativeEscapeMessage(targetOwner: Pkg, target: string): string {
  if (targetOwner.isRoot) return 'a relative path out of its package: a package imports other code by package name only.';
  const subpath = [...targetOwner.exports].find(([, file]) => file === target)?.[0];
  const suggestion = subpath === undefined
    ? `it is not exported (${exportsList(targetOwner)}): import what ${targetOwner.name} exports, or export it there`
    : `import '${targetOwner.name}${subpath.slice(1)}' instead`;
  return `a relative path into ${targetOwner.name}: another package is reached only through its exports; ${suggestion}.`;
}

function checkLayers(fromRel: string, toRel: string, fail: (message: string) => void): void {
  const prefix = IDENTITY_SRC + '/';
  if (!fromRel.startsWith(prefix) || !toRel.startsWith(prefix)) return; // tests are outside the layers
  const fromUnit = unitOf(fromRel.slice(prefix.length));
  const toUnit = unitOf(toRel.slice(prefix.length));
  const from = layerOf(fromUnit);
  const to = layerOf(toUnit);
  if (from === undefined || to === undefined || fromUnit === toUnit) return; // unlisted units are reported once, per file
  if (to.rank < from.rank || (to.rank === from.rank && from.siblings)) return;
  fail(
    to.rank > from.rank
      ? `identity layers: ${fromUnit} (rank ${from.rank}) may not import ${toUnit} (rank ${to.rank}); a layer imports only its own unit and lower ranks. Move the shared piece down to rank ${from.rank} or lower.`
      : `identity layers: ${fromUnit} may not import its rank-${from.rank} sibling ${toUnit}; ${from.units.join(', ')} are independent. Move the shared piece down to a lower rank.`,
  );
}

/** 'flows/authorize.ts' -> 'flows/'; 'server.ts' -> 'server.ts'. */
function unitOf(pathInSrc: string): string {
  const slash = pathInSrc.indexOf('/');
  return slash === -1 ? pathInSrc : pathInSrc.slice(0, slash + 1);
}

function layerOf(unit: string) {
  return IDENTITY_LAYERS.find((l) => l.units.includes(unit));
}

/** Every module specifier of a file: static imports and re-exports (type-only too), import() and import types. */
export function importsOf(file: string): { specifier: string; line: number }[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node)) found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function readPackage(dir: string, isRoot: boolean): Pkg {
  const manifestFile = join(dir, 'package.json');
  const manifestText = readFileSync(manifestFile, 'utf8');
  const json = JSON.parse(manifestText) as { name?: string; exports?: unknown; dependencies?: object; devDependencies?: object; peerDependencies?: object; optionalDependencies?: object };
  const exports = new Map<string, string>();
  // No `exports` field at all means nothing is offered to other packages (every package here curates one).
  const entries = typeof json.exports === 'string' ? { '.': json.exports } : (json.exports ?? {});
  for (const [subpath, value] of Object.entries(entries as Record<string, unknown>)) {
    if (subpath.includes('*')) throw new Error(`${manifestFile}: exports pattern '${subpath}' is not understood by scripts/check-imports.ts`);
    for (const target of stringLeaves(value)) exports.set(subpath, resolve(dir, target));
  }
  return {
    name: json.name ?? dir,
    dir,
    manifestFile,
    manifestText,
    dependencies: new Set([...Object.keys(json.dependencies ?? {}), ...Object.keys(json.peerDependencies ?? {}), ...Object.keys(json.optionalDependencies ?? {})]),
    devDependencies: new Set(Object.keys(json.devDependencies ?? {})),
    exports,
    isRoot,
  };
}

/** The file targets of an exports value: a string, or the leaves of a conditions object. */
function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringLeaves);
  return [];
}

function exportsList(pkg: Pkg): string {
  return pkg.exports.size === 0 ? 'it exports nothing' : `exports: ${[...pkg.exports.keys()].join(', ')}`;
}

function lineOf(text: string, key: string): number {
  const index = text.indexOf(`"${key}"`);
  return index === -1 ? 1 : text.slice(0, index).split('\n').length;
}

function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !join(e.parentPath, e.name).split(sep).includes('node_modules'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}: '${v.specifier}' [${v.rule}] ${v.message}`;
}

if (import.meta.main) {
  const violations = checkImports(join(dirname(new URL(import.meta.url).pathname), '..'));
  if (violations.length > 0) {
    console.error(`Import rules (scripts/check-imports.ts): ${violations.length} violation(s).`);
    for (const v of violations) console.error('  ' + formatViolation(v));
    process.exit(1);
  }
  console.log('Import rules: ok.');
}
