/**
 * Entry point: `npx node examples/weather-agent/src/main.ts` (env: see README.md).
 * Serves the AgentCore container contract on HOST:PORT (default 127.0.0.1:8080).
 */
import { MandateIdentityClient } from '@mandate/sdk';
import { ConfigError, readConfig } from './config.ts';
import { createWeatherApp } from './app.ts';
import { JwtVerifier } from './jwt-check.ts';
import { ModelConfigError, resolveModelFactory } from './model.ts';
import { mandateTokenSource, officialTokenSource, type TokenSourceOptions } from './token.ts';
import { createWeatherApi } from './weather-api.ts';

async function main(): Promise<void> {
  const config = readConfig();
  const newModel = await resolveModelFactory();
  const tokenOptions: TokenSourceOptions = { providerName: config.providerName, scopes: config.scopes, forceAuthentication: config.forceAuthentication };
  const app = createWeatherApp({
    tokens: config.identityClient === 'official'
      ? officialTokenSource(tokenOptions)
      : mandateTokenSource({ ...tokenOptions, client: new MandateIdentityClient() }),
    weatherApi: createWeatherApi({
      requiredScope: config.requiredScope,
      verifier: config.verification ? new JwtVerifier(config.verification) : undefined,
    }),
    newModel,
    logLevel: config.logLevel,
  });
  app.run({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof ModelConfigError;
  process.stderr.write(`weather-agent: ${known ? (error as Error).message : String(error)}\n`);
  process.exit(1);
});
