/**
 * The scripted model + get_weather tool + auth_required interrupt, in-process with an injected token
 * source: one auth_required event and one model call before consent; the same run completes after it,
 * with exactly one more model call (the answer), never one to rediscover that auth is needed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWeatherAgent } from '../src/app.ts';
import { JwtVerifier } from '../src/jwt-check.ts';
import { AuthorizationFailedError, runWeatherAgent, type WeatherEvent } from '../src/run.ts';
import { ScriptedWeatherModel, weatherSentence } from '../src/scripted-model.ts';
import { UserTokenGate } from '../src/user-token.ts';
import { createWeatherApi, forecastFor, type WeatherApi } from '../src/weather-api.ts';
import { API_APP_ID, ISSUER, ManualTokenSource, newSigningKey, settlesWithin, startJwksServer, userToken } from './support.ts';

const AUTH_URL = 'http://127.0.0.1:9/identities/oauth2/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc';
const key = newSigningKey();
const alice = { oid: 'aaaaaaaa-0000-4000-8000-000000000001', preferred_username: 'alice@contoso.com' };
const bob = { oid: 'bbbbbbbb-0000-4000-8000-000000000002', preferred_username: 'bob@contoso.com' };

let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let api: WeatherApi;
before(async () => {
  jwks = await startJwksServer([key]);
  api = createWeatherApi({ requiredScope: 'read', verifier: new JwtVerifier({ issuer: ISSUER, jwksUri: jwks.url, audiences: [API_APP_ID] }) });
});
after(() => jwks.close());

function setup(source: ManualTokenSource, wat = 'wat-alice') {
  const model = new ScriptedWeatherModel();
  const gate = new UserTokenGate(source, { workloadAccessToken: wat, callbackUrl: 'https://app.example/return' });
  const agent = createWeatherAgent(model, gate, api);
  return { model, gate, agent };
}

async function drain(events: AsyncGenerator<WeatherEvent, unknown>): Promise<WeatherEvent[]> {
  const out: WeatherEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const named = (events: WeatherEvent[]) => events.filter((e) => 'event' in e);
const text = (events: WeatherEvent[]) => events.flatMap((e) => ('event' in e ? [] : [e.data])).join('');

const sfSentence = (user: typeof alice) => weatherSentence({
  city: 'San Francisco', ...forecastFor('San Francisco'), checkedFor: { oid: user.oid, preferredUsername: user.preferred_username },
});

describe('weather agent run (in-process)', () => {
  it('interrupts once for consent, waits, then finishes the same tool call without re-asking the model', async () => {
    const source = new ManualTokenSource({ authorizationUrl: AUTH_URL });
    const { model, agent: realAgent, gate } = setup(source);
    const events = runWeatherAgent(realAgent, gate, 'Weather in San Francisco?');

    const first = await events.next();
    assert.deepEqual(first, { done: false, value: { event: 'auth_required', data: { authorizationUrl: AUTH_URL } } });
    assert.equal(model.calls, 1);
    assert.deepEqual(source.requests, [{ workloadAccessToken: 'wat-alice', callbackUrl: 'https://app.example/return' }]);

    const waiting = events.next();
    assert.equal(await settlesWithin(waiting, 150), false, 'the run waits for consent');
    const token = userToken(key, alice);
    source.consent(token);
    assert.deepEqual(await waiting, { done: false, value: { event: 'authorized', data: {} } });

    const rest = await drain(events);
    assert.equal(text(rest), sfSentence(alice));
    assert.deepEqual(named(rest), [{ event: 'done', data: { stopReason: 'endTurn', text: sfSentence(alice) } }]);
    assert.equal(model.calls, 2, 'one call to pick the tool, one to answer; none to rediscover auth');
    assert.equal(source.requests.length, 1);
    assert.equal(JSON.stringify(realAgent.messages).includes(token), false, 'the token never enters the conversation');
    const toolResults = realAgent.messages.flatMap((m) => m.content).filter((b) => b.type === 'toolResultBlock');
    assert.equal(toolResults.length, 1, 'the interrupted tool call completed once');
    assert.equal(toolResults[0]!.type === 'toolResultBlock' && toolResults[0]!.status, 'success');
  });

  it('answers straight away when the vault already holds the token', async () => {
    const source = new ManualTokenSource({ token: userToken(key, bob) });
    const { model, agent, gate } = setup(source, 'wat-bob');
    const events = await drain(runWeatherAgent(agent, gate, 'What is the weather in San Francisco?'));
    assert.deepEqual(named(events), [{ event: 'done', data: { stopReason: 'endTurn', text: sfSentence(bob) } }]);
    assert.equal(model.calls, 2);
  });

  it('closes the agent\'s stream when the caller stops early, leaving the agent usable', async () => {
    const source = new ManualTokenSource({ token: userToken(key, bob) });
    const { agent, gate } = setup(source, 'wat-bob');
    const events = runWeatherAgent(agent, gate, 'Weather in San Francisco?');
    assert.deepEqual((await events.next()).value, { data: 'The ' });
    await events.return(undefined as never); // e.g. the client disconnected mid-answer
    const again = await drain(runWeatherAgent(agent, gate, 'Weather in San Francisco?'));
    assert.equal(text(again), sfSentence(bob));
  });

  it('keeps two concurrent sessions apart: each answer carries its own user\'s oid', async () => {
    const a = new ManualTokenSource({ authorizationUrl: `${AUTH_URL}-a` });
    const b = new ManualTokenSource({ authorizationUrl: `${AUTH_URL}-b` });
    const sa = setup(a, 'wat-a');
    const sb = setup(b, 'wat-b');
    const ra = drain(runWeatherAgent(sa.agent, sa.gate, 'Weather in San Francisco?'));
    const rb = drain(runWeatherAgent(sb.agent, sb.gate, 'Weather in San Francisco?'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    b.consent(userToken(key, bob)); // consent in the opposite order
    a.consent(userToken(key, alice));
    const [ea, eb] = await Promise.all([ra, rb]);
    assert.equal(text(ea), sfSentence(alice));
    assert.equal(text(eb), sfSentence(bob));
    assert.deepEqual(named(ea)[0], { event: 'auth_required', data: { authorizationUrl: `${AUTH_URL}-a` } });
    assert.deepEqual(named(eb)[0], { event: 'auth_required', data: { authorizationUrl: `${AUTH_URL}-b` } });
  });

  it('ends the invocation with a precise error when consent fails, after exactly one model call', async () => {
    const source = new ManualTokenSource({ authorizationUrl: AUTH_URL });
    const { model, agent, gate } = setup(source);
    const events = runWeatherAgent(agent, gate, 'Weather in Paris?');
    assert.deepEqual((await events.next()).value, { event: 'auth_required', data: { authorizationUrl: AUTH_URL } });
    source.deny(Object.assign(new Error('Invalid or expired session'), { name: 'AccessDeniedException' }));
    await assert.rejects(events.next(), (error: unknown) => {
      assert.ok(error instanceof AuthorizationFailedError);
      assert.equal(error.message, 'Authorization was not completed: Invalid or expired session');
      return true;
    });
    assert.equal(model.calls, 1);
  });

  it('reports a token the weather API rejects (missing scope) as the tool\'s failure, not a crash', async () => {
    const source = new ManualTokenSource({ token: userToken(key, { ...alice, scp: 'write' }) });
    const { agent, gate } = setup(source);
    const events = await drain(runWeatherAgent(agent, gate, 'Weather in Oslo?'));
    assert.equal(text(events), 'I could not get the weather: Access token rejected: scope read not granted');
  });

  it('asks for a city, and never for a token, when the prompt names none', async () => {
    const source = new ManualTokenSource({ authorizationUrl: AUTH_URL });
    const { model, agent, gate } = setup(source);
    const events = await drain(runWeatherAgent(agent, gate, 'Hello there'));
    assert.equal(text(events), 'Which city would you like the weather for? Try "Weather in San Francisco?".');
    assert.equal(model.calls, 1);
    assert.equal(source.requests.length, 0);
  });
});
