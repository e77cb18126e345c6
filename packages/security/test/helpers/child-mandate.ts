import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Parent side of child-mandate-server.ts: a Mandate instance in its own process that tests may SIGKILL. */
export interface ChildMandate {
  url: string;
  process: ChildProcess;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), resolved once the process is gone. */
  stop(): Promise<void>;
}

export interface ChildMandateOptions {
  databaseUrl: string;
  schema: string;
  publicUrl: string;
  entraBase?: string;
  caPem?: string;
  masterKey?: string;
  keyFile?: string;
}

const SCRIPT = fileURLToPath(new URL('./child-mandate-server.ts', import.meta.url));

export async function startChildMandate(o: ChildMandateOptions): Promise<ChildMandate> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', SEC_DATABASE_URL: o.databaseUrl, SEC_SCHEMA: o.schema, SEC_PUBLIC_URL: o.publicUrl };
  if (o.entraBase) env.SEC_ENTRA_BASE = o.entraBase;
  if (o.caPem) env.SEC_CA_PEM = o.caPem;
  if (o.masterKey) env.SEC_MASTER_KEY = o.masterKey;
  if (o.keyFile) env.SEC_KEY_FILE = o.keyFile;
  const child = spawn(process.execPath, [SCRIPT], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code, signal) => reject(new Error(`Mandate child exited with ${code ?? signal} before listening`)));
  });
  const url = (JSON.parse(line) as { url: string }).url;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, process: child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
