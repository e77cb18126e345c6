import { z } from 'zod';
import { tagKey, tagMap } from './common.ts';

export const resourceArn = z.string().max(1011).regex(/^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{1,12}:.+$/, {
  error: 'Member must be a bedrock-agentcore resource ARN',
});

export const tagResourceInput = z.object({ resourceArn, tags: tagMap });
export const untagResourceInput = z.object({ resourceArn, tagKeys: z.array(tagKey).min(1).max(50) });
export const listTagsInput = z.object({ resourceArn });
