import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { WEATHER_AGENT_DIR } from './seed-setup.ts';

export const WEATHER_MCP_DIR = resolve(WEATHER_AGENT_DIR, '..', 'weather-mcp');

export interface WeatherMcpProcess {
  url: string;
  close(): Promise<void>;
}

/**
 * The example weather MCP server (examples/weather-mcp) as its own process on loopback: the protected
 * resource behind the dev stack's gateway. It verifies every Entra token against the emulator's keys.
 */
export async function startWeatherMcpProcess(input: { host: string; port: number; issuer: string; jwksUri: string; audience: string; caCertFile?: string }): Promise<WeatherMcpProcess> {
  const child: ChildProcess = spawn(process.execPath, [resolve(WEATHER_MCP_DIR, 'src', 'main.ts')], {
    env: {
      ...process.env, HOST: input.host, PORT: String(input.port),
      WEATHER_API_ISSUER: input.issuer, WEATHER_API_JWKS_URI: input.jwksUri, WEATHER_API_AUDIENCE: input.audience, WEATHER_REQUIRED_SCOPE: 'read',
      ...(input.caCertFile ? { NODE_EXTRA_CA_CERTS: input.caCertFile } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2000)));
  const url = `http://${input.host}:${input.port}/mcp`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the weather MCP server exited at start: ${stderr.trim() || `exit code ${child.exitCode}`}`);
    try {
      if ((await fetch(`http://${input.host}:${input.port}/ping`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the weather MCP server did not answer on ${url} within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
