/**
 * Start-up configuration and model selection: exact values and exact refusals (no network needed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BedrockModel } from '@strands-agents/sdk';
import { ConfigError, readConfig } from '../src/config.ts';
import { ModelConfigError, resolveModelFactory } from '../src/model.ts';
import { ScriptedWeatherModel } from '../src/scripted-model.ts';

const SCOPE = 'api://08c1e356-0000-4000-8000-26f9339c0d17/read';

describe('configuration', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(readConfig({ WEATHER_SCOPE: SCOPE }), {
      port: 8080, host: '127.0.0.1', logLevel: 'info', identityClient: 'mandate',
      providerName: 'ms_entra_oauth_provider', scopes: [SCOPE], requiredScope: 'read', forceAuthentication: false,
    });
  });

  it('reads every variable', () => {
    const config = readConfig({
      WEATHER_SCOPE: SCOPE, PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'warn', AWS_REGION: 'eu-west-1', WEATHER_IDENTITY_CLIENT: 'official',
      WEATHER_PROVIDER_NAME: 'entra-2', WEATHER_FORCE_AUTHENTICATION: 'true',
      WEATHER_API_ISSUER: 'https://login.example/t/v2.0', WEATHER_API_JWKS_URI: 'https://login.example/t/discovery/v2.0/keys', WEATHER_API_AUDIENCE: 'a, api://a',
    });
    assert.deepEqual(config, {
      port: 0, host: '0.0.0.0', logLevel: 'warn', identityClient: 'official', providerName: 'entra-2', scopes: [SCOPE], requiredScope: 'read',
      forceAuthentication: true,
      verification: { issuer: 'https://login.example/t/v2.0', jwksUri: 'https://login.example/t/discovery/v2.0/keys', audiences: ['a', 'api://a'] },
    });
  });

  it('refuses incomplete or invalid settings with the variable named', () => {
    const refuses = (env: NodeJS.ProcessEnv, message: string) =>
      assert.throws(() => readConfig(env), (error: unknown) => error instanceof ConfigError && error.message === `Invalid weather-agent configuration: ${message}`);
    refuses({}, 'WEATHER_SCOPE: Invalid input: expected string, received undefined');
    refuses({ WEATHER_SCOPE: SCOPE, PORT: '70000' }, 'PORT: Too big: expected number to be <=65535');
    refuses({ WEATHER_SCOPE: SCOPE, WEATHER_PROVIDER_NAME: 'bad name' }, 'WEATHER_PROVIDER_NAME: Invalid string: must match pattern /^[a-zA-Z0-9\\-_]{1,128}$/');
    refuses({ WEATHER_SCOPE: SCOPE, WEATHER_API_ISSUER: 'https://login.example/t/v2.0' }, 'WEATHER_API_ISSUER: Set all of WEATHER_API_ISSUER, WEATHER_API_JWKS_URI and WEATHER_API_AUDIENCE, or none');
    refuses({ WEATHER_SCOPE: SCOPE, WEATHER_IDENTITY_CLIENT: 'official' }, 'AWS_REGION: AWS_REGION is required by the official identity client');
  });
});

describe('model selection', () => {
  it('defaults to a fresh scripted model per invocation', async () => {
    const factory = await resolveModelFactory({});
    const a = factory();
    assert.ok(a instanceof ScriptedWeatherModel);
    assert.notEqual(factory(), a);
  });

  it('builds a BedrockModel with the configured id and region (not called: no network here)', async () => {
    const model = (await resolveModelFactory({ MANDATE_MODEL: 'bedrock', BEDROCK_MODEL_ID: 'us.amazon.nova-pro-v1:0', AWS_REGION: 'us-east-1' }))();
    assert.ok(model instanceof BedrockModel);
    assert.equal(model.getConfig().modelId, 'us.amazon.nova-pro-v1:0');
  });

  it('names what is missing for openai, and the package to install when it is absent', async () => {
    await assert.rejects(resolveModelFactory({ MANDATE_MODEL: 'openai' }), new ModelConfigError('OPENAI_BASE_URL is required when MANDATE_MODEL=openai'));
    await assert.rejects(
      resolveModelFactory({ MANDATE_MODEL: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'k', OPENAI_MODEL: 'm' }),
      new ModelConfigError('MANDATE_MODEL=openai needs the optional "openai" package: npm install openai -w examples/weather-agent'),
    );
    await assert.rejects(resolveModelFactory({ MANDATE_MODEL: 'gpt' }), new ModelConfigError('MANDATE_MODEL must be scripted, bedrock or openai (got "gpt")'));
  });
});
