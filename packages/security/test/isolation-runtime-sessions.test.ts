import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { decodeJwt } from 'jose';
import { demoUserPoolSeed, startUserPoolEmulator, type UserPoolEmulator } from '@mandate/emulators';
import { verifyWorkloadAccessToken } from '@mandate/identity/testing';
import { agentDir, baseRuntime, bearerInvoke, codeArtifact, sessionId, sseEvents, startMandate, type Mandate } from '@mandate/runtime/test-harness';

/**
 * Issue 8 item 3 (runtime): several users invoke one JWT-authorized runtime with interleaved, concurrent
 * invocations (streams and plain JSON). Every invocation runs in its own user's session process, sees only
 * that user's Authorization header and a WAT bound to that user's (iss, sub); no session id can be used
 * by another user. The agent keeps the first caller's header in a global (the seed notebook's pattern),
 * which is safe only with one process per user session.
 */
const USERS = 5;
const ROUNDS = 6;
let m: Mandate;
let emu: UserPoolEmulator;
let cognito: CognitoIdentityProviderClient;
let arn = '';
let runtimeId = '';
let issuer = '';
const tokens: string[] = [];
const sids: string[] = [];

before(async () => {
  emu = await startUserPoolEmulator({ seed: demoUserPoolSeed() });
  cognito = new CognitoIdentityProviderClient({ region: 'us-west-2', endpoint: emu.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-verified-by-the-emulator' }, maxAttempts: 1 });
  const pool = emu.poolByName('DemoUserPool')!;
  issuer = pool.issuer;
  const clientId = pool.clients[0]!.clientId;
  for (let i = 0; i < USERS; i++) {
    const username = `iso-user-${i}`;
    const password = `Aa1!${randomBytes(12).toString('base64url')}`;
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: pool.id, Username: username }));
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.id, Username: username, Password: password, Permanent: true }));
    const r = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
    tokens.push(r.AuthenticationResult!.AccessToken!);
    sids.push(sessionId(`iso${i}`));
  }
  m = await startMandate({ startTimeoutMs: 60_000 });
  const rt = await m.control.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: 'iso_agent', agentRuntimeArtifact: codeArtifact(agentDir('app-agent')), ...baseRuntime,
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: emu.discoveryUrl(pool.id), allowedClients: [clientId] } },
    requestHeaderConfiguration: { requestHeaderAllowlist: ['Authorization'] },
  }));
  arn = rt.agentRuntimeArn!;
  runtimeId = rt.agentRuntimeId!;
});
after(async () => {
  await m?.close();
  cognito?.destroy();
  await emu?.close();
});

test(`${USERS} users × ${ROUNDS} rounds of interleaved concurrent invocations: own process, own header, own WAT; no session crossing`, { timeout: 120_000 }, async () => {
  const pids = new Map<number, number>();
  for (let round = 0; round < ROUNDS; round++) {
    // Every user at once, in a shuffled order, half streaming (whoami) and half JSON (remember).
    const order = Array.from({ length: USERS }, (_, i) => i).sort(() => Math.random() - 0.5);
    await Promise.all(order.map(async (u) => {
      if ((u + round) % 2 === 0) {
        const res = await bearerInvoke(m, arn, tokens[u], { op: 'whoami' }, { sessionId: sids[u] });
        assert.equal(res.status, 200);
        const events = sseEvents(await res.text()) as Array<Record<string, unknown>>;
        assert.equal(events[0]!.sessionId, sids[u]);
        const wat = await verifyWorkloadAccessToken(m.identity.services, String(events[1]!.wat));
        assert.deepEqual(wat.user, { kind: 'jwt', issuer, subject: decodeJwt(tokens[u]!).sub });
        assert.equal(wat.workloadName, runtimeId);
        const pid = Number(events[1]!.pid);
        assert.equal(pids.get(u) ?? pid, pid, `user ${u} stays in one process`);
        pids.set(u, pid);
      } else {
        const res = await bearerInvoke(m, arn, tokens[u], { op: 'remember' }, { sessionId: sids[u], headers: { accept: 'application/json' } });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { token: string; pid: number };
        assert.equal(body.token, `Bearer ${tokens[u]}`, `user ${u} saw another user's remembered token`);
        assert.equal(pids.get(u) ?? body.pid, body.pid);
        pids.set(u, body.pid);
      }
    }));
  }
  assert.equal(new Set(pids.values()).size, USERS, 'one process per user session');
  // Every user tries every other user's session id: refused, and the owner's session is unaffected.
  for (let a = 0; a < USERS; a++) {
    for (let b = 0; b < USERS; b++) {
      if (a === b) continue;
      const res = await bearerInvoke(m, arn, tokens[a], { op: 'remember' }, { sessionId: sids[b], headers: { accept: 'application/json' } });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('x-amzn-errortype'), 'AccessDeniedException');
      assert.deepEqual(await res.json(), { message: 'This runtime session belongs to another user. Use a new runtime session id.' });
    }
  }
  for (let u = 0; u < USERS; u++) {
    const res = await bearerInvoke(m, arn, tokens[u], { op: 'remember' }, { sessionId: sids[u], headers: { accept: 'application/json' } });
    assert.equal(((await res.json()) as { token: string }).token, `Bearer ${tokens[u]}`);
  }
});
