import { statSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validationError } from '@mandate/core';
import type { LaunchSpec, RuntimeArtifact } from './model.ts';

/**
 * Mandate has no container engine: an artifact names a local directory and how to start it
 * (documented in docs/runtime.md).
 *  - codeConfiguration: `code.s3.bucket = "mandate-local"`, `code.s3.prefix = /absolute/dir`,
 *    `entryPoint = ["main.ts"]` or `["node", "main.ts"]`; `runtime: NODE_22` runs Mandate's own Node,
 *    PYTHON_* runs `python3`.
 *  - containerConfiguration: `containerUri = file:///absolute/dir`; the command comes from
 *    `mandate.json` (`{"command": ["node", "main.ts"]}`) in that directory, else `npm start`.
 */
export const LOCAL_BUCKET = 'mandate-local';

const fail = (name: string, message: string) => validationError(`${name}: ${message}`, [{ name, message }]);

function existingDir(dir: string, field: string): string {
  if (!isAbsolute(dir)) throw fail(field, 'must be an absolute directory path');
  const d = resolve(dir);
  let st;
  try {
    st = statSync(d);
  } catch {
    throw fail(field, `directory ${d} does not exist`);
  }
  if (!st.isDirectory()) throw fail(field, `${d} is not a directory`);
  return d;
}

const isScript = (s: string, exts: string[]) => exts.some((e) => s.endsWith(e));

export function resolveArtifact(artifact: RuntimeArtifact): LaunchSpec {
  if ('codeConfiguration' in artifact) {
    const c = artifact.codeConfiguration;
    if (c.code.s3.bucket !== LOCAL_BUCKET) {
      throw fail('agentRuntimeArtifact.codeConfiguration.code.s3.bucket', `must be "${LOCAL_BUCKET}": Mandate runs code from a local directory named by prefix`);
    }
    const cwd = existingDir(c.code.s3.prefix, 'agentRuntimeArtifact.codeConfiguration.code.s3.prefix');
    const ep = [...c.entryPoint];
    const node = c.runtime === 'NODE_22';
    const interpreter = node ? process.execPath : 'python3';
    if (ep[0] === 'node' || ep[0] === 'python' || ep[0] === 'python3') ep.shift();
    const script = ep[0];
    const scriptExts = node ? ['.js', '.mjs', '.cjs', '.ts', '.mts'] : ['.py'];
    if (script !== undefined && isScript(script, scriptExts)) {
      const file = resolve(cwd, script);
      if (!file.startsWith(cwd + '/')) throw fail('agentRuntimeArtifact.codeConfiguration.entryPoint', 'must name a file inside the code directory');
      try {
        if (!statSync(file).isFile()) throw new Error();
      } catch {
        throw fail('agentRuntimeArtifact.codeConfiguration.entryPoint', `file ${script} does not exist in ${cwd}`);
      }
      return { cwd, command: interpreter, args: ep };
    }
    if (ep.length === 0) throw fail('agentRuntimeArtifact.codeConfiguration.entryPoint', 'must name the script to run');
    // Any other first element is a launcher on PATH (e.g. "opentelemetry-instrument").
    return { cwd, command: ep[0]!, args: ep.slice(1) };
  }
  const uri = artifact.containerConfiguration.containerUri;
  const field = 'agentRuntimeArtifact.containerConfiguration.containerUri';
  if (!uri.startsWith('file:///')) throw fail(field, 'must be file:///absolute/dir: Mandate runs local directories, not container images');
  let dir: string;
  try {
    dir = fileURLToPath(uri);
  } catch {
    throw fail(field, 'is not a valid file URL');
  }
  const cwd = existingDir(dir, field);
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(cwd, 'mandate.json'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fail(field, 'mandate.json in that directory is not valid JSON');
    try {
      statSync(join(cwd, 'package.json'));
    } catch {
      throw fail(field, 'the directory has neither mandate.json nor package.json');
    }
    return { cwd, command: 'npm', args: ['start'] };
  }
  const command = (manifest as { command?: unknown }).command;
  if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string' || c === '')) {
    throw fail(field, 'mandate.json must be {"command": ["program", "arg", ...]}');
  }
  const [prog, ...args] = command as string[];
  return { cwd, command: prog === 'node' ? process.execPath : prog!, args };
}
