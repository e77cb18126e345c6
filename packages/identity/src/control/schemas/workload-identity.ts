import { z } from 'zod';
import { resourceName, tagMap } from './common.ts';

/** Return URLs are compared exactly at token time (RFC 9700 §4.1.3), so only absolute http(s) URLs are stored. */
const returnUrl = z.string().min(1).max(2048).refine((s) => {
  if (!URL.canParse(s)) return false;
  const u = new URL(s);
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.hash === '';
}, { error: 'Member must be an absolute http(s) URL without a fragment' });

export const returnUrls = z.array(returnUrl).max(100);

export const createWorkloadIdentityInput = z.object({
  name: resourceName,
  allowedResourceOauth2ReturnUrls: returnUrls.optional(),
  tags: tagMap.optional(),
});

export const updateWorkloadIdentityInput = z.object({
  name: resourceName,
  allowedResourceOauth2ReturnUrls: returnUrls.optional(),
});
