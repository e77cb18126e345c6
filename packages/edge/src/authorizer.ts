import { z } from 'zod';

/**
 * The `customJWTAuthorizer` member every AgentCore resource with inbound OAuth takes (runtimes and
 * gateways: CustomJWTAuthorizerConfiguration), with the rules of the AgentCore API reference. One
 * schema, so a runtime and a gateway accept exactly the same authorizers.
 */
const stringList = z.array(z.string().min(1).max(255)).min(1).max(255);
const scope = z.string().min(1).max(255).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be a valid OAuth scope');

const customClaim = z.object({
  inboundTokenClaimName: z.string().min(1).max(255).regex(/^[A-Za-z0-9_.:-]+$/).refine((n) => n !== 'client_id', 'client_id is checked with allowedClients'),
  inboundTokenClaimValueType: z.enum(['STRING', 'STRING_ARRAY']),
  authorizingClaimMatchValue: z.object({
    claimMatchValue: z.object({ matchValueString: z.string().min(1).max(255).optional(), matchValueStringList: z.array(z.string().min(1).max(255)).min(1).max(255).optional() })
      .refine((v) => (v.matchValueString === undefined) !== (v.matchValueStringList === undefined), 'exactly one of matchValueString or matchValueStringList'),
    claimMatchOperator: z.enum(['EQUALS', 'CONTAINS', 'CONTAINS_ANY']),
  }),
}).superRefine((c, ctx) => {
  const { claimMatchOperator: op, claimMatchValue: v } = c.authorizingClaimMatchValue;
  const ok = c.inboundTokenClaimValueType === 'STRING'
    ? op === 'EQUALS' && v.matchValueString !== undefined
    : (op === 'CONTAINS' && v.matchValueString !== undefined) || (op === 'CONTAINS_ANY' && v.matchValueStringList !== undefined);
  if (!ok) ctx.addIssue({ code: 'custom', message: 'STRING claims use EQUALS with matchValueString; STRING_ARRAY claims use CONTAINS with matchValueString or CONTAINS_ANY with matchValueStringList' });
});

export const customJwtAuthorizerSchema = z.object({
  discoveryUrl: z.string().max(2048).regex(/^.+\/\.well-known\/openid-configuration$/, 'must match .+/\\.well-known/openid-configuration'),
  allowedAudience: stringList.optional(),
  allowedClients: stringList.optional(),
  allowedScopes: z.array(scope).min(1).max(255).optional(),
  customClaims: z.array(customClaim).min(1).max(255).optional(),
  advertisedScopeMapping: z.record(z.string(), z.string()).optional(),
}).refine((a) => a.allowedAudience || a.allowedClients || a.allowedScopes || a.customClaims, 'at least one of allowedAudience, allowedClients, allowedScopes or customClaims is required');


export type CustomJwtAuthorizerInput = z.infer<typeof customJwtAuthorizerSchema>;
