import { spawn } from 'node:child_process';
import { freePort } from '@mandate/runtime';

/** A bench agent started by hand on its own port (what Mandate proxies to), ready when /ping answers. */
export async function startDirectAgent(agentDir: string): Promise<{ url: string; port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--no-warnings', 'main.ts'], { cwd: agentDir, env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      if (i > 300) throw new Error('the direct agent did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } };
}
