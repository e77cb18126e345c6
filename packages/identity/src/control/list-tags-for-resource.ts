import { collections } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { requireTaggableResource } from './resource-exists.ts';
import { listTagsInput } from './schemas/tags.ts';

export const listTagsForResource = defineOperation({
  name: 'ListTagsForResource',
  method: 'GET',
  path: '/tags/:resourceArn',
  plane: 'control',
  successStatus: 200,
  input: listTagsInput,
  inputFrom: (_body, params) => ({ resourceArn: params.resourceArn }),
  async handler(input, { services }) {
    await requireTaggableResource(services.store, services.config, input.resourceArn);
    const rec = await services.store.get<{ tags: Record<string, string> }>(collections.tags, input.resourceArn);
    return { tags: rec?.doc.tags ?? {} };
  },
});
