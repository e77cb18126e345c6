/**
 * MCP gateway per-call overhead: `tools/call` of the example weather MCP server (examples/weather-mcp, the
 * official MCP SDK server, in its own process) through Mandate's gateway against the same call straight to
 * the server, both with the official MCP SDK client, in the same run, rounds alternating. Through the
 * gateway every call authenticates the user's JWT, checks the MCP session's owner, resolves the tool,
 * reads the user's warm token from the vault (decrypting it) and injects it; the direct client sends the
 * same token itself. Goal: added p50 <= 2 ms on a warm token.
 */
import { fileURLToPath } from 'node:url';
import { BedrockAgentCoreControlClient, CreateGatewayCommand, CreateGatewayTargetCommand, GetOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { makeKey, sign, startIssuer } from '@mandate/identity/test-jwt-fixtures';
import type { Scenario } from '../lib/context.ts';
import { startDirectAgent } from '../lib/direct-agent.ts';
import { acquireEntra, acquireSqliteMandate } from '../lib/identity-stack.ts';
import { addedLatency } from '../lib/alternating.ts';
import { round } from '../lib/results.ts';
import { PROVIDER, REGION } from '../servers/mandate-server.ts';

const WEATHER_MCP_DIR = fileURLToPath(new URL('../../examples/weather-mcp/src', import.meta.url));
const SCOPES = ['api://bench/read'];

async function mcpClient(url: string, bearer: string): Promise<{ client: Client; close(): Promise<void> }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

/** `n` sequential tools/call; returns each in ms (the answer is checked, so a failure cannot pass as fast). */
async function calls(client: Client, tool: string, n: number, oid: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await client.callTool({ name: tool, arguments: { city: 'Seattle' } });
    out.push(performance.now() - t0);
    if ((r.structuredContent as { checkedFor?: { oid?: string } } | undefined)?.checkedFor?.oid !== oid) throw new Error(`unexpected tool result: ${JSON.stringify(r).slice(0, 300)}`);
  }
  return out;
}

export const gatewayOverhead: Scenario = {
  name: 'gateway-overhead',
  sharesMandate: true,
  async run(env) {
    const t = env.quick ? { perRound: 500, warmup: 200, rounds: 2 } : { perRound: 2000, warmup: 500, rounds: 4 };
    const entra = await acquireEntra(env);
    const m = await acquireSqliteMandate(env, entra, 'gateway');
    const control = new BedrockAgentCoreControlClient({ endpoint: m.url, region: REGION, credentials: m.admin, maxAttempts: 1 });
    const key = await makeKey('bench');
    const idp = await startIssuer('/bench-idp', [key.jwk]);
    let upstream: Awaited<ReturnType<typeof startDirectAgent>> | undefined;
    const clients: { close(): Promise<void> }[] = [];
    try {
      upstream = await startDirectAgent(WEATHER_MCP_DIR);
      const gw = await control.send(new CreateGatewayCommand({
        name: 'bench-gw', roleArn: 'arn:aws:iam::123456789012:role/gw', authorizerType: 'CUSTOM_JWT',
        authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: idp.discoveryUrl, allowedAudience: ['bench-gw'] } },
      }));
      const providerArn = (await control.send(new GetOauth2CredentialProviderCommand({ name: PROVIDER }))).credentialProviderArn!;
      await control.send(new CreateGatewayTargetCommand({
        gatewayIdentifier: gw.gatewayId!, name: 'weather', targetConfiguration: { mcp: { mcpServer: { endpoint: `${upstream.url}/mcp` } } },
        credentialProviderConfigurations: [{ credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: { providerArn, scopes: SCOPES, grantType: 'AUTHORIZATION_CODE' } } }],
      }));
      // The user's Entra-shaped token (the example server decodes it and checks exp and oid), planted as a completed consent leaves it.
      const oid = '00000000-0000-4000-8000-0000000000b1';
      const now = Math.floor(Date.now() / 1000);
      const entraToken = await sign(key, { oid, preferred_username: 'bench@example.com', scp: 'read', iat: now, exp: now + 3600 });
      const userJwt = await sign(key, { iss: idp.issuer, sub: 'bench-user', aud: 'bench-gw', iat: now, exp: now + 3600 });
      await m.handle.call('plantToken', { workloadName: `gw-${gw.gatewayId}`, user: { kind: 'jwt', issuer: idp.issuer, subject: 'bench-user' }, scopes: SCOPES, accessToken: entraToken, expiresAt: (now + 3600) * 1000 });

      const direct = await mcpClient(`${upstream.url}/mcp`, entraToken);
      clients.push(direct);
      const viaGateway = await mcpClient(gw.gatewayUrl!, userJwt);
      clients.push(viaGateway);

      env.log('gateway-overhead: sequential tools/call, direct and through the gateway in alternating rounds');
      env.report(await addedLatency(t, (n) => calls(direct.client, 'get_weather', n, oid), (n) => calls(viaGateway.client, 'weather___get_weather', n, oid), {
        scenario: 'gateway-overhead', metric: 'added tools/call p50 (warm vault token)', goalMs: 2, extra: (sd, sv) => ({ ratio: round(sd.p50 / sv.p50) }),
      }));
    } finally {
      for (const c of clients) await c.close().catch(() => {});
      control.destroy();
      await upstream?.stop();
      await idp.close();
      await m.close();
      await entra.close();
    }
  },
};
