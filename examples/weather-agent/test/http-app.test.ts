/**
 * The real HTTP app as a child process (src/main.ts), driven with plain fetch + SSE parsing, the way
 * Mandate's runtime (or `agentcore dev`) calls a container: session id + WAT + OAuth2CallbackUrl
 * headers. The child reaches identity through the official SDK and AWS_ENDPOINT_URL_BEDROCK_AGENTCORE;
 * here that points at a recording GetResourceOauth2Token endpoint (see identity-endpoint.ts).
 * Mandate's SDK (default) backs off from 250 ms when the endpoint ignores its wait extension; the
 * official client polls every 5 s, so its case takes ~5 s.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { forecastFor } from '../src/weather-api.ts';
import { weatherSentence } from '../src/scripted-model.ts';
import { runChildAgentToExit, startChildAgent, type ChildAgent } from './child-agent.ts';
import { startIdentityEndpoint, type IdentityEndpoint } from './identity-endpoint.ts';
import { SseReader, textOf } from './sse.ts';
import { API_APP_ID, ISSUER, newSigningKey, SCOPE, startJwksServer, userToken } from './support.ts';

const key = newSigningKey();
const users = {
  alice: { oid: 'aaaaaaaa-1111-4000-8000-000000000001', preferred_username: 'alice@contoso.com' },
  bob: { oid: 'bbbbbbbb-1111-4000-8000-000000000002', preferred_username: 'bob@contoso.com' },
};
const CALLBACK = 'https://app.example/oauth/return';

let identity: IdentityEndpoint;
let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let agent: ChildAgent; // Mandate's SDK (default)
let official: ChildAgent; // the official bedrock-agentcore withAccessToken

const baseEnv = () => ({
  AWS_REGION: 'us-west-2',
  AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: identity.url,
  AWS_ACCESS_KEY_ID: 'AKIDWEATHERAGENTTEST',
  AWS_SECRET_ACCESS_KEY: 'weather-agent-test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  WEATHER_SCOPE: SCOPE,
  LOG_LEVEL: 'info',
});

before(async () => {
  identity = await startIdentityEndpoint();
  jwks = await startJwksServer([key]);
  const verify = { WEATHER_API_ISSUER: ISSUER, WEATHER_API_JWKS_URI: jwks.url, WEATHER_API_AUDIENCE: API_APP_ID };
  // allSettled: if one child fails to start, the other is still stopped in after().
  const [mandateChild, officialChild] = await Promise.allSettled([
    startChildAgent({ ...baseEnv(), ...verify }),
    startChildAgent({ ...baseEnv(), ...verify, WEATHER_IDENTITY_CLIENT: 'official' }),
  ]);
  if (mandateChild.status === 'fulfilled') agent = mandateChild.value;
  if (officialChild.status === 'fulfilled') official = officialChild.value;
  for (const s of [mandateChild, officialChild]) if (s.status === 'rejected') throw s.reason;
});
after(async () => {
  await agent?.stop();
  await official?.stop();
  await identity?.close();
  await jwks?.close();
});

function invoke(prompt: unknown, headers: Record<string, string> = {}, target: ChildAgent = agent): Promise<Response> {
  return fetch(`${target.url}/invocations`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-amzn-bedrock-agentcore-runtime-session-id': randomUUID() + randomUUID(),
      ...headers,
    },
    body: JSON.stringify(prompt),
  });
}

const sentence = (user: { oid: string; preferred_username: string }, city: string) =>
  weatherSentence({ city, ...forecastFor(city), checkedFor: { oid: user.oid, preferredUsername: user.preferred_username } });

/** One user's invocation: auth_required arrives as its own event, consent completes, the same stream answers. */
async function consentRun(user: typeof users.alice, wat: string, city: string, target: ChildAgent = agent): Promise<void> {
  const res = await invoke({ prompt: `Weather in ${city}?` }, { 'x-amz-bedrock-agentcore-identity-wat': wat, oauth2callbackurl: CALLBACK }, target);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const sse = new SseReader(res.body!);
  const first = await sse.next();
  assert.deepEqual(first, { event: 'auth_required', data: JSON.stringify({ authorizationUrl: identity.authorizationUrlFor(wat) }) });

  const opened = identity.requests.find((r) => r.body['workloadIdentityToken'] === wat && r.body['sessionUri'] === undefined)!;
  assert.deepEqual(opened.body, {
    workloadIdentityToken: wat, resourceCredentialProviderName: 'ms_entra_oauth_provider', scopes: [SCOPE],
    oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: CALLBACK,
  });
  assert.match(opened.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDWEATHERAGENTTEST\/\d{8}\/us-west-2\/bedrock-agentcore\/aws4_request, /);

  const busy = (await (await fetch(`${target.url}/ping`)).json()) as { status: string };
  assert.equal(busy.status, 'HealthyBusy', 'a session waiting for consent is not idle');
  identity.complete(wat, userToken(key, user));
  const rest = await sse.rest();
  assert.deepEqual(rest[0], { event: 'authorized', data: '{}' });
  assert.equal(textOf(rest), sentence(user, city));
  assert.deepEqual(rest.at(-1), { event: 'done', data: JSON.stringify({ stopReason: 'endTurn', text: sentence(user, city) }) });
  assert.equal(rest.filter((e) => e.event === 'auth_required').length, 0, 'exactly one auth_required per invocation');
}

describe('weather agent HTTP app (child process)', () => {
  it('answers /ping like the AgentCore container contract', async () => {
    const res = await fetch(`${agent.url}/ping`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; time_of_last_update: number };
    assert.equal(body.status, 'Healthy');
    assert.equal(typeof body.time_of_last_update, 'number');
  });

  it('streams auth_required, waits for consent, then answers — for two users at once, each with their own oid', { timeout: 60_000 }, async () => {
    await Promise.all([
      consentRun(users.alice, `wat-alice-${randomUUID()}`, 'San Francisco'),
      consentRun(users.bob, `wat-bob-${randomUUID()}`, 'Seattle'),
    ]);
  });

  it('works the same with the unmodified official withAccessToken (5-second polls)', { timeout: 60_000 }, async () => {
    await consentRun(users.bob, `wat-bob-official-${randomUUID()}`, 'Lisbon', official);
  });

  it('ends the stream with an error event when the identity service refuses the session', { timeout: 60_000 }, async () => {
    const wat = `wat-denied-${randomUUID()}`;
    const res = await invoke({ prompt: 'Weather in Lisbon?' }, { 'x-amz-bedrock-agentcore-identity-wat': wat });
    const sse = new SseReader(res.body!);
    assert.equal((await sse.next())?.event, 'auth_required');
    identity.deny(wat);
    assert.deepEqual(await sse.rest(), [{ event: 'error', data: JSON.stringify({ error: 'Authorization was not completed: Invalid or expired session' }) }]);
  });

  it('without a WAT the tool reports that the runtime must inject one, and no identity call is made', async () => {
    const before = identity.requests.length;
    const res = await invoke({ prompt: 'Weather in Berlin?' });
    const events = await new SseReader(res.body!).rest();
    assert.equal(textOf(events), 'I could not get the weather: No workload access token in the request: the agent must be invoked through the runtime, which injects X-Amz-Bedrock-AgentCore-Identity-WAT');
    assert.equal(identity.requests.length, before);
  });

  it('rejects bad requests with the app\'s precise errors', async () => {
    const noPrompt = await invoke({ question: 'Weather?' });
    assert.equal(noPrompt.status, 400);
    assert.equal(((await noPrompt.json()) as { error: string }).error, 'Invalid request body format');

    const noSse = await invoke({ prompt: 'Weather in Rome?' }, { accept: 'application/json' });
    assert.equal(noSse.status, 406);
    await noSse.body?.cancel();

    const noSession = await fetch(`${agent.url}/invocations`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: '{"prompt":"Weather in Rome?"}',
    });
    assert.equal(noSession.status, 400);
    assert.deepEqual(await noSession.json(), { error: 'Missing sessionId. Provide via x-amzn-bedrock-agentcore-runtime-session-id header or request body.' });
  });

  it('reports Healthy again once no invocation is running', async () => {
    const body = (await (await fetch(`${agent.url}/ping`)).json()) as { status: string };
    assert.equal(body.status, 'Healthy');
  });

  it('never writes tokens to its log', () => {
    for (const log of [agent.output(), official.output()]) {
      assert.equal(/wat-(alice|bob|denied)-/.test(log), false);
      assert.equal(log.includes('eyJ'), false);
    }
  });

  it('refuses to start with a bad configuration: exit code 1 and one line naming the problem', async () => {
    // Every refusal's wording is covered in config-model.test.ts; this proves main.ts reports and exits.
    const { WEATHER_SCOPE: _s, ...noScope } = baseEnv();
    const missing = await runChildAgentToExit({ ...noScope, MANDATE_MODEL: 'scripted' });
    assert.equal(missing.code, 1);
    assert.equal(missing.output, 'weather-agent: Invalid weather-agent configuration: WEATHER_SCOPE: Invalid input: expected string, received undefined\n');
  });

});
