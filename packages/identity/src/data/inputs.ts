import { z } from 'zod';

/** Input rules shared by the data-plane operations (API reference constraints, agentcore-identity-api.md §2). */
export const workloadNameSchema = z.string().min(3).max(255).regex(/^[A-Za-z0-9_.-]+$/, 'must match [A-Za-z0-9_.-]+');
export const watSchema = z.string().min(1).max(131_072);
export const providerNameSchema = z.string().min(1).max(128).regex(/^[a-zA-Z0-9\-_]+$/, 'must match [a-zA-Z0-9\\-_]+');
export const userIdSchema = z.string().min(1).max(128);
export const userTokenSchema = z.string().min(1).max(131_072);
export const sessionUriSchema = z.string().min(1).max(1024).regex(/^urn:ietf:params:oauth:request_uri:[a-zA-Z0-9\-._~]+$/, 'must be urn:ietf:params:oauth:request_uri:<id>');
