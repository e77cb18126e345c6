/**
 * `node examples/weather-mcp/src/main.ts`: the weather MCP server on HOST:PORT (default 127.0.0.1:8000,
 * AgentCore's MCP contract: port 8000, path /mcp). Set WEATHER_API_ISSUER, WEATHER_API_JWKS_URI and
 * WEATHER_API_AUDIENCE to verify token signatures; WEATHER_REQUIRED_SCOPE (e.g. `read`) to require a scope.
 */
import { JwtVerifier } from '@mandate/weather-agent/jwt-check';
import { createWeatherApi } from '@mandate/weather-agent/weather-api';
import { startWeatherMcpServer } from './server.ts';

const env = process.env;
const verification = env.WEATHER_API_ISSUER && env.WEATHER_API_JWKS_URI && env.WEATHER_API_AUDIENCE
  ? new JwtVerifier({ issuer: env.WEATHER_API_ISSUER, jwksUri: env.WEATHER_API_JWKS_URI, audiences: env.WEATHER_API_AUDIENCE.split(',').map((a) => a.trim()) })
  : undefined;
const port = Number(env.PORT ?? 8000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`weather-mcp: PORT must be a port number, not ${env.PORT}\n`);
  process.exit(1);
}
const server = await startWeatherMcpServer({
  weatherApi: createWeatherApi({ verifier: verification, requiredScope: env.WEATHER_REQUIRED_SCOPE || undefined }),
  port,
  host: env.HOST ?? '127.0.0.1',
});
process.stdout.write(`weather-mcp: serving ${server.url}${verification ? '' : ' (token signatures NOT verified: set WEATHER_API_ISSUER, WEATHER_API_JWKS_URI, WEATHER_API_AUDIENCE)'}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
