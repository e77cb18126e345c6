/**
 * Scenario 2, consent to token: a tool function wrapped for USER_FEDERATION waits while the user
 * consents; the clock starts when the application's CompleteResourceTokenAuth call returns and stops
 * when the wrapped function is called with the token. Mandate's SDK (packages/sdk, `x-mandate-wait`
 * long-poll) against the unmodified official `bedrock-agentcore` withAccessToken (polls every 5 s), in
 * the same run, against the same Mandate server and Entra emulator. The user takes a random 0.3-1.5 s
 * to consent, so the official client's poll phase is not always the same.
 * Goal: Mandate p50 <= 50 ms.
 */
import { randomInt } from 'node:crypto';
import { BedrockAgentCoreClient, CompleteResourceTokenAuthCommand, GetWorkloadAccessTokenForUserIdCommand } from '@aws-sdk/client-bedrock-agentcore';
import { MandateIdentityClient, requiresAccessToken } from '@mandate/sdk';
import type { Scenario } from '../lib/context.ts';
import { acquireEntra, acquireSqliteMandate, consentInBrowser, RETURN_URL, type Entra, type MandateProcess } from '../lib/identity-stack.ts';
import { makeResult, round, summarize } from '../lib/results.ts';
import { PROVIDER, REGION, WORKLOAD } from '../servers/mandate-server.ts';

type Wrap = (onAuthUrl: (url: string) => void, wat: string) => () => Promise<number>;

/** One consent: returns ms from CompleteResourceTokenAuth returning to the tool function holding the token. */
async function sample(entra: Entra, data: BedrockAgentCoreClient, wrap: Wrap, userId: string, onCompleted?: () => void): Promise<number> {
  const wat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId }))).workloadAccessToken!;
  let completedAt = NaN;
  let failure: unknown;
  const onAuthUrl = (url: string) => {
    setTimeout(async () => {
      try {
        const back = await consentInBrowser(url, entra.users[0]!.username);
        await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: back.searchParams.get('session_id')!, userIdentifier: { userId } }));
        completedAt = performance.now();
        onCompleted?.();
      } catch (err) {
        failure = err;
      }
    }, 300 + randomInt(1200));
  };
  const calledAt = await wrap(onAuthUrl, wat)();
  if (failure) throw failure;
  if (Number.isNaN(completedAt)) throw new Error('the tool ran before the authorization was completed');
  return calledAt - completedAt;
}

function mandateWrap(m: MandateProcess, entra: Entra): Wrap {
  const client = new MandateIdentityClient({ clientConfig: { endpoint: m.url, region: REGION, credentials: m.workloadKey } });
  return (onAuthUrl, wat) => requiresAccessToken({
    client, providerName: PROVIDER, authFlow: 'USER_FEDERATION', scopes: [entra.readScope], callbackUrl: RETURN_URL, forceAuthentication: true,
    workloadIdentityToken: wat, onAuthUrl,
  })(async (token: string) => {
    if (!token) throw new Error('no token');
    return performance.now();
  });
}

async function officialWrap(m: MandateProcess, entra: Entra): Promise<Wrap> {
  // The official SDK reads its endpoint and credentials from the environment, as an agent on AWS would.
  Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: m.url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: m.workloadKey.accessKeyId, AWS_SECRET_ACCESS_KEY: m.workloadKey.secretAccessKey });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const { withAccessToken } = await import('bedrock-agentcore/identity');
  return (onAuthUrl, wat) => withAccessToken({
    workloadIdentityToken: wat, providerName: PROVIDER, scopes: [entra.readScope], authFlow: 'USER_FEDERATION', callbackUrl: RETURN_URL, forceAuthentication: true,
    onAuthUrl: async (url: string) => onAuthUrl(url),
  })(async (token: string) => {
    if (!token) throw new Error('no token');
    return performance.now();
  });
}

export const consentToToken: Scenario = {
  name: 'consent-to-token',
  sharesMandate: true,
  async run(env) {
    const n = env.quick ? 2 : 10;
    const entra = await acquireEntra(env);
    const m = await acquireSqliteMandate(env, entra, 'consent');
    const saved = { ...process.env };
    const data = new BedrockAgentCoreClient({ endpoint: m.url, region: REGION, credentials: m.workloadKey, maxAttempts: 1 });
    try {
      const wraps: Record<'mandate-sdk' | 'official-sdk', Wrap> = { 'mandate-sdk': mandateWrap(m, entra), 'official-sdk': await officialWrap(m, entra) };
      const samples: Record<'mandate-sdk' | 'official-sdk', number[]> = { 'mandate-sdk': [], 'official-sdk': [] };
      // One warm-up consent per client (connections, JIT), then interleaved samples.
      if (!env.quick) for (const c of ['mandate-sdk', 'official-sdk'] as const) await sample(entra, data, wraps[c], `warm-${c}`);
      const logSample = (c: 'mandate-sdk' | 'official-sdk', i: number) => env.log(`consent-to-token ${c} #${i + 1}: ${samples[c][i]!.toFixed(1)} ms`);
      if (env.quick) {
        // The official client spends most of a sample waiting for its next 5 s poll, so --quick runs its samples
        // side by side, and Mandate's one at a time once every official consent has completed: no consent flow
        // then runs in this process while a Mandate sample is timed, and the official pollers only wait.
        const completions: Array<Promise<void>> = [];
        const official = Promise.all(Array.from({ length: n }, (_, i) => {
          let done!: () => void;
          completions.push(new Promise<void>((resolve) => (done = resolve)));
          return sample(entra, data, wraps['official-sdk'], `user-official-sdk-${i}`, done);
        }));
        official.catch(() => {});
        await Promise.race([Promise.all(completions), official]);
        for (let i = 0; i < n; i++) {
          samples['mandate-sdk'].push(await sample(entra, data, wraps['mandate-sdk'], `user-mandate-sdk-${i}`));
          logSample('mandate-sdk', i);
        }
        samples['official-sdk'].push(...(await official));
        for (let i = 0; i < n; i++) logSample('official-sdk', i);
      } else {
        for (let i = 0; i < n; i++) {
          for (const c of ['mandate-sdk', 'official-sdk'] as const) {
            samples[c].push(await sample(entra, data, wraps[c], `user-${c}-${i}`));
            logSample(c, i);
          }
        }
      }
      const mine = summarize(samples['mandate-sdk']);
      const theirs = summarize(samples['official-sdk']);
      env.report(makeResult({
        scenario: 'consent-to-token', metric: 'completion to token (p50)', client: 'mandate-sdk', value: mine.p50, unit: 'ms', reference: theirs.p50,
        p50: mine.p50, p99: mine.p99, n: mine.n, goal: 'p50 <= 50 ms', pass: mine.p50 <= 50, extra: { mean: round(mine.mean), max: round(mine.max) },
      }));
      env.report(makeResult({
        scenario: 'consent-to-token', metric: 'completion to token (p50)', client: 'official-sdk', value: theirs.p50, unit: 'ms',
        p50: theirs.p50, p99: theirs.p99, n: theirs.n, extra: { mean: round(theirs.mean), max: round(theirs.max) },
      }));
    } finally {
      process.env = saved;
      data.destroy();
      await m.close();
      await entra.close();
    }
  },
};
